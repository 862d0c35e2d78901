// The signer's form as the volunteer fills it in: raw text per field, checked with the shared schema.
import { check, SignerSchema, SIGNER_FIELDS, type Signer } from '../shared/schema';

export type SignerField = (typeof SIGNER_FIELDS)[number];
export type SignerInput = Record<SignerField, string>;
export type FieldErrors = Partial<Record<SignerField | 'autograph', string>>;

export const emptySignerInput = (): SignerInput =>
  Object.fromEntries(SIGNER_FIELDS.map((f) => [f, ''])) as SignerInput;

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

export function checkSigner(input: SignerInput): SignerCheck {
  const email = input.email.trim();
  const candidate = {
    ...input,
    state: input.state.trim().toUpperCase(),
    email: email === '' ? undefined : email,
  };
  const result = check(SignerSchema, candidate);
  if (result.ok) return { ok: true, signer: result.value };
  const errors: FieldErrors = {};
  for (const problem of result.problems) {
    const field = problem.field as SignerField | undefined;
    if (field && SIGNER_FIELDS.includes(field) && !errors[field]) errors[field] = problem.message;
  }
  return { ok: false, errors };
}

export const isBlank = (input: SignerInput): boolean => SIGNER_FIELDS.every((f) => input[f].trim() === '');
