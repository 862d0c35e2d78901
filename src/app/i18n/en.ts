import { SIGNER_FIELD_LABELS } from '../../shared/signer-field-labels';
import type { Catalog } from './catalog';

/** "Given name" → "given name", but "ZIP code" stays. */
const lower = (label: string) => (/^[A-Z][a-z]/.test(label) ? label[0]!.toLowerCase() + label.slice(1) : label);

export const en: Catalog = {
  name: 'English',
  languageGroup: 'Language',
  signerForm: 'Signer',
  fields: { ...SIGNER_FIELD_LABELS, email: `${SIGNER_FIELD_LABELS.email} (optional)` },
  emailRequired: SIGNER_FIELD_LABELS.email,
  chooseState: 'Choose…',
  autograph: 'Signature',
  autographHint: 'Sign with your finger or a stylus in the box.',
  undo: 'Undo stroke',
  clear: 'Clear',
  assisted: 'Signed with assistance',
  assistedHint: 'For a signer who cannot sign alone: they make their mark with your help.',
  attest: (volunteer) => `I, ${volunteer}, helped this signer, who asked to sign this petition.`,
  save: 'Save signature',
  saving: 'Saving…',
  saved: (seq) => `Saved #${seq}. Ready for the next signer.`,
  thanks: 'Thank you for signing!',
  nextSigner: 'Next signer',
  fixFields: (n) => (n === 1 ? 'One field needs attention.' : `${n} fields need attention.`),
  sameSigner: (seq, time) => `This name and address already signed on this tablet (#${seq} at ${time}). Save only if this is a different person.`,
  problems: {
    required: (f) => `Enter the ${lower(f)}.`,
    tooLong: (f) => `The ${lower(f)} is too long.`,
    chooseState: () => 'Choose the state.',
    zipShape: () => 'Enter the ZIP code: 5 digits, or ZIP+4 like 12345-6789.',
    zipState: () => 'This ZIP code is not in the chosen state. Check both.',
    emailShape: () => 'Enter an email like name@example.org, or leave it empty.',
    autographEmpty: () => 'The signature is empty: sign in the box.',
    autographTooLittle: () => 'That is too short to be a signature: sign your full signature in the box.',
    attestation: () => 'The volunteer must confirm they helped this signer.',
  },
  saveFailed: 'The signature was not saved. Try again; if it keeps failing, sync and restart the app.',
  storageFull: 'Storage full — sync now. This signature was not saved: after the sync, save it again.',
};
