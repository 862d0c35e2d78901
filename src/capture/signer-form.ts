// The signer's form as the volunteer fills it in: raw text per field, checked with the shared schema
// plus the door checks that need local data (ZIP and state agreeing). Problems come back as stable
// keys per field, so each screen words them in the signer's language.
import { check, SignerSchema, SIGNER_FIELDS, type Signer } from '../shared/signer-schema';
import { zipMatchesState } from '../shared/zip-states';

export type SignerField = (typeof SIGNER_FIELDS)[number];
export type SignerInput = Record<SignerField, string>;

export const PROBLEMS = [
  'required',
  'tooLong',
  'chooseState',
  'zipShape',
  'zipState',
  'emailShape',
  'autographEmpty',
  'autographTooLittle',
  'attestation',
] as const;
export type Problem = (typeof PROBLEMS)[number];
export type FieldErrors = Partial<Record<SignerField | 'autograph' | 'attestation', Problem>>;

/** Longest input per field, as the shared schema allows. */
export const FIELD_MAX: Record<SignerField, number> = { givenName: 100, familyName: 100, street: 200, city: 100, state: 2, zip: 10, email: 254 };

export const emptySignerInput = (): SignerInput => Object.fromEntries(SIGNER_FIELDS.map((f) => [f, ''])) as SignerInput;

/** Restore input from a draft, keeping only known fields as text. */
export function signerInputFrom(fields: Record<string, unknown> | undefined): SignerInput {
  const input = emptySignerInput();
  for (const f of SIGNER_FIELDS) {
    const value = fields?.[f];
    if (typeof value === 'string') input[f] = value;
  }
  return input;
}

export type SignerCheck = { ok: true; signer: Signer } | { ok: false; errors: FieldErrors };

/**
 * Check the signer's input at the door. `required`: optional fields the drive asks for (email). Only
 * the tablet asks for them: a drive that starts requiring a field must not make the server refuse
 * signatures taken before the tablet heard of it.
 */
export function checkSigner(input: SignerInput, required: readonly string[] = []): SignerCheck {
  const email = input.email.trim();
  const candidate = {
    ...input,
    state: input.state.trim().toUpperCase(),
    email: email === '' ? undefined : email,
  };
  const result = check(SignerSchema, candidate);
  const errors: FieldErrors = {};
  if (!result.ok) {
    for (const problem of result.problems) {
      const field = problem.field as SignerField | undefined;
      if (field && SIGNER_FIELDS.includes(field) && !errors[field]) errors[field] = problemOf(field, input[field]);
    }
  }
  if (!errors.zip && !errors.state && !zipMatchesState(candidate.zip, candidate.state)) errors.zip = 'zipState';
  for (const f of SIGNER_FIELDS) if (required.includes(f) && !errors[f] && input[f].trim() === '') errors[f] = 'required';
  if (result.ok && Object.keys(errors).length === 0) return { ok: true, signer: result.value };
  return { ok: false, errors };
}

/** The schema said this field is wrong; which of its rules did the value break? */
function problemOf(field: SignerField, raw: string): Problem {
  const value = raw.trim();
  if (field === 'state') return 'chooseState';
  if (value === '') return 'required';
  if (value.length > FIELD_MAX[field]) return 'tooLong';
  if (field === 'zip') return 'zipShape';
  if (field === 'email') return 'emailShape';
  return 'required';
}

export const isBlank = (input: SignerInput): boolean => SIGNER_FIELDS.every((f) => input[f].trim() === '');
