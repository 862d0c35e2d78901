// The signer fields' names in English, as the signer's form words them: the volunteer app's English
// catalog and the lead's drive form both take them from here (the lead's page imports only shared code).
import type { SIGNER_FIELDS } from './schema';

export const SIGNER_FIELD_LABELS: Record<(typeof SIGNER_FIELDS)[number], string> = {
  givenName: 'Given name',
  familyName: 'Family name',
  street: 'Street address',
  city: 'City',
  state: 'State',
  zip: 'ZIP code',
  email: 'Email',
};
