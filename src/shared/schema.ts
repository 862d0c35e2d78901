// The one validation schema. The device checks a signer's form and builds records with it; the
// server checks every request with it. Change a rule here and both sides change together.
import * as v from 'valibot';
import { AutographFormatError, checkAutograph, AUTOGRAPH_LIMITS } from './autograph-codec';
import { LANGUAGES, MAX_BATCH_RECORDS, PROTOCOL_VERSION } from './constants';
import { UUID_V7_PATTERN } from './ids';
import { showable, SignerSchema, text } from './signer-schema';

// The signer's form rules and `check` live in signer-schema.ts (the tablet's first load needs only those).
export { check, OPTIONAL_SIGNER_FIELDS, showable, SignerSchema, SIGNER_FIELDS, type Checked, type FieldProblem, type Signer } from './signer-schema';

export const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** A JSON number that is a number: `1e309` parses as Infinity, which no field can hold (nor a digest). */
export const finite = (label: string) => v.pipe(v.number(`${label} must be a number`), v.finite(`${label} must be a finite number`));

function isUsableAutograph(encoded: string): boolean {
  try {
    return checkAutograph(encoded) > 0;
  } catch (e) {
    if (e instanceof AutographFormatError) return false;
    throw e;
  }
}

export const AutographSchema = v.pipe(
  v.string('The autograph must be text'),
  v.maxLength(AUTOGRAPH_LIMITS.maxEncodedChars, 'The autograph is too large'),
  v.check(isUsableAutograph, 'The autograph is empty or unreadable: ask the signer to sign again'),
);

const id = (label: string) => v.pipe(v.string(`${label} must be text`), v.minLength(1, `${label} is missing`), v.maxLength(64, `${label} is too long`));

/**
 * What is sealed to the drive's key (src/shared/signer-seal.ts): everything that identifies the
 * signer. Only the organizer's unlocked key opens it; the tablet and the server's disk hold it sealed.
 */
export const SignerDetailsSchema = v.object({
  signer: SignerSchema,
  autograph: AutographSchema,
  location: v.optional(
    v.object({
      latitude: v.pipe(finite('location.latitude'), v.minValue(-90), v.maxValue(90)),
      longitude: v.pipe(finite('location.longitude'), v.minValue(-180), v.maxValue(180)),
      accuracy: v.pipe(finite('location.accuracy'), v.minValue(0)),
    }),
  ),
});
export type SignerDetails = v.InferOutput<typeof SignerDetailsSchema>;

/** base64url of format byte ‖ encapsulated key ‖ ciphertext: at least 82 bytes, at most what the largest details make. */
const NOT_BASE64URL = /[^A-Za-z0-9_-]/;
/**
 * `^[A-Za-z0-9_-]{110,}$`, as a search for one character outside the alphabet: the anchored pattern
 * took twice as long over a payload of a thousand characters, and the server checks every record's.
 */
export const isSealedText = (sealed: string): boolean => sealed.length >= 110 && !NOT_BASE64URL.test(sealed);
export const MAX_SEALED_CHARS = Math.ceil(((AUTOGRAPH_LIMITS.maxEncodedChars + 4096) * 4) / 3);

/**
 * A signature record as it travels from device to server (protocol 2). `digest` covers every other
 * field, the sealed payload included. In clear only what the server's figures need: who collected it,
 * when, in which petition text, and the signer's city and state (`place`, for the counts per place).
 */
export const SignatureRecordSchema = v.object({
  id: v.pipe(v.string('id must be text'), v.regex(UUID_V7_PATTERN, 'id must be a lowercase UUIDv7')),
  deviceId: id('deviceId'),
  seq: v.pipe(finite('seq'), v.safeInteger('seq must be a whole number'), v.minValue(1, 'seq starts at 1')),
  driveId: id('driveId'),
  petition: v.object({
    version: v.pipe(v.string(), v.regex(HEX_SHA256, 'petition.version must be a SHA-256 hex digest')),
    language: v.picklist(LANGUAGES, 'petition.language is not a language of the petition'),
  }),
  volunteer: text('volunteer name', 80),
  capturedAt: v.pipe(v.string('capturedAt must be text'), v.isoTimestamp('capturedAt must be an ISO 8601 timestamp')),
  /** The signer's city and state, in clear for the counts per place (the rest of the address is sealed). */
  place: v.object({ city: SignerSchema.entries.city, state: SignerSchema.entries.state }),
  /** The signer could not sign alone: the volunteer attests they helped and the signer agreed. */
  assisted: v.optional(v.object({ attestedBy: text('attesting volunteer name', 80) })),
  /** SignerDetails sealed to the drive's public key, bound to this drive and record id. */
  sealed: v.pipe(
    v.string('sealed must be text'),
    v.maxLength(MAX_SEALED_CHARS, 'The sealed details are too large'),
    v.check(isSealedText, 'sealed must be the signer details sealed to the drive key (base64url)'),
  ),
  digest: v.pipe(v.string('digest must be text'), v.regex(HEX_SHA256, 'digest must be a SHA-256 hex digest')),
});
export type SignatureRecord = v.InferOutput<typeof SignatureRecordSchema>;
/** What the device fills in before the digest is taken. */
export const SignatureContentSchema = v.omit(SignatureRecordSchema, ['digest']);
export type SignatureContent = Omit<SignatureRecord, 'digest'>;

const DeviceReportEntries = {
  appVersion: v.pipe(v.string('appVersion must be text'), v.maxLength(40, 'The app version is too long'), showable('app version')),
  /** The browser's storage estimate, and whether it promised to keep the data (navigator.storage.persist). */
  storage: v.optional(
    v.object({
      usage: v.pipe(finite('storage.usage'), v.minValue(0)),
      quota: v.pipe(finite('storage.quota'), v.minValue(0)),
      persisted: v.boolean(),
    }),
  ),
};

/** What a device says of itself, for the lead's day's-end table: on enrolling, and in every batch's totals. */
export const DeviceReportSchema = v.object(DeviceReportEntries);

export const DeviceTotalsSchema = v.object({
  /** Highest sequence number the device has captured. */
  capturedThrough: v.pipe(finite('capturedThrough'), v.safeInteger(), v.minValue(0)),
  /** Records on the device not yet confirmed by the server. */
  waiting: v.pipe(finite('waiting'), v.safeInteger(), v.minValue(0)),
  ...DeviceReportEntries,
});

export const VOID_REASON_MAX = 200;

/** A void as it travels: which record (id and sequence number), why, and when. */
export const VoidNoticeSchema = v.object({
  id: v.pipe(v.string('id must be text'), v.regex(UUID_V7_PATTERN, 'id must be a lowercase UUIDv7')),
  seq: v.pipe(finite('seq'), v.safeInteger('seq must be a whole number'), v.minValue(1, 'seq starts at 1')),
  reason: text('reason for the void', VOID_REASON_MAX),
  /** When the volunteer struck it, on the device's clock. */
  voidedAt: v.pipe(v.string('voidedAt must be text'), v.isoTimestamp('voidedAt must be an ISO 8601 timestamp')),
});

/** Records and voids are checked one by one (one bad record must not sink its batch), so here they are `unknown`. */
export const BatchRequestSchema = v.object({
  protocol: v.literal(PROTOCOL_VERSION, `protocol must be ${PROTOCOL_VERSION}`),
  records: v.pipe(v.array(v.unknown(), 'records must be a list'), v.maxLength(MAX_BATCH_RECORDS, `a batch holds at most ${MAX_BATCH_RECORDS} records`)),
  voids: v.optional(v.pipe(v.array(v.unknown(), 'voids must be a list'), v.maxLength(MAX_BATCH_RECORDS, `a batch holds at most ${MAX_BATCH_RECORDS} voids`))),
  totals: DeviceTotalsSchema,
});

export const EnrollRequestSchema = v.object({
  protocol: v.literal(PROTOCOL_VERSION, `protocol must be ${PROTOCOL_VERSION}`),
  code: v.pipe(v.string('code must be text'), v.trim(), v.toUpperCase(), v.regex(/^[A-Z0-9-]{4,20}$/, 'Enter the enrollment code your lead gave you')),
  deviceName: v.optional(v.pipe(v.string('deviceName must be text'), v.trim(), v.maxLength(80, 'The device name is too long'), showable('device name'))),
  device: v.optional(DeviceReportSchema),
});

export function recordContent(record: SignatureRecord): SignatureContent {
  const { digest: _digest, ...content } = record;
  return content;
}
