// The signer's form rules and the one way to check a value against a schema: the part of the shared
// schema (schema.ts, which re-exports all of this) that the tablet's first load needs, for the form's
// checks as the volunteer types. Apart from schema.ts so the record, batch and autograph rules load
// later, with Save (valibot's schemas are calls a bundler cannot drop once their module is imported).
import * as v from 'valibot';
import { US_STATES } from './us-states';

const ZIP = /^\d{5}(-\d{4})?$/;

// C0 and C1 control characters (NUL included) and the bidirectional embeddings, overrides and isolates
// (U+202A–U+202E, U+2066–U+2069) that make a lead's table read backwards. A one-line text also refuses
// line and paragraph separators; a text of several lines keeps tab, line feed and carriage return.
export const UNSHOWABLE_IN_LINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSHOWABLE_IN_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/**
 * Free text a lead reads (names, titles, versions) holds no control or text-direction characters:
 * refused, not stripped, so what is stored is what was typed.
 */
export const showable = (label: string, { lines = false } = {}) =>
  v.check(
    (value: string) => !(lines ? UNSHOWABLE_IN_TEXT : UNSHOWABLE_IN_LINE).test(value),
    `The ${label} holds control or text-direction characters: type it again`,
  );

export const text = (label: string, max: number) =>
  v.pipe(
    v.string(`${label} must be text`),
    v.trim(),
    v.nonEmpty(`Enter the ${label}`),
    v.maxLength(max, `The ${label} is too long (at most ${max} characters)`),
    showable(label),
  );

export const SignerSchema = v.object({
  givenName: text('given name', 100),
  familyName: text('family name', 100),
  street: text('street address', 200),
  city: text('city', 100),
  state: v.picklist(US_STATES, 'Choose the state'),
  zip: v.pipe(v.string('ZIP code must be text'), v.trim(), v.regex(ZIP, 'Enter the ZIP code: 5 digits, or ZIP+4 like 12345-6789')),
  email: v.optional(
    v.pipe(
      v.string('Email must be text'),
      v.trim(),
      v.maxLength(254, 'The email is too long'),
      v.email('Enter an email like name@example.org, or leave it empty'),
    ),
  ),
});
export type Signer = v.InferOutput<typeof SignerSchema>;
export const SIGNER_FIELDS = ['givenName', 'familyName', 'street', 'city', 'state', 'zip', 'email'] as const satisfies readonly (keyof Signer)[];
/** The fields a signer may leave empty, unless a drive requires them (the tablet then asks for them at the door). */
export const OPTIONAL_SIGNER_FIELDS = ['email'] as const satisfies readonly (typeof SIGNER_FIELDS)[number][];

export interface FieldProblem {
  /** Dotted path of the field, e.g. `signer.zip`; absent when the whole value is wrong. */
  field?: string;
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** Validate with a schema and say, per field, what is wrong. */
/**
 * valibot's default messages quote the value received ('… but received "Rosa"'): a signer's details
 * would then travel in an error, be stored with a rejection and shown to a lead. Say what was
 * expected, never what came.
 */
function withoutReceivedValue(issue: v.BaseIssue<unknown>): string {
  const tail = `eceived ${issue.received}`;
  if (!issue.message.endsWith(tail)) return issue.message;
  return issue.message.slice(0, -tail.length - 1).replace(/(\s+but|:)\s*$/, '');
}

export function check<S extends v.GenericSchema>(schema: S, input: unknown): Checked<v.InferOutput<S>> {
  const result = v.safeParse(schema, input);
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    problems: result.issues.map((issue) => {
      const field = v.getDotPath(issue) ?? undefined;
      const message = withoutReceivedValue(issue);
      return field ? { field, message } : { message };
    }),
  };
}
