// The shared schema's verdict on a signature record, written out by hand for the record that passes:
// valibot builds a dataset object per field and pipe step, which was a fifth of screening a batch. It
// only ever says yes, with the very value valibot would give; anything it is not sure of (a bad field,
// an unusual shape) it leaves to SignatureRecordSchema, which gives the verdict and names the field.
// tests/server/fast-record-check.test.ts shows it agrees with the schema on every fixture and on
// generated bad records.
import { ISO_TIMESTAMP_REGEX } from 'valibot';
import { LANGUAGES } from '../../shared/constants';
import { UUID_V7_PATTERN } from '../../shared/ids';
import { HEX_SHA256, isSealedText, MAX_SEALED_CHARS, type SignatureRecord } from '../../shared/schema';
import { UNSHOWABLE_IN_LINE } from '../../shared/signer-schema';
import { US_STATES } from '../../shared/us-states';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `text(label, max)` of the schema: trimmed, not empty, at most `max`, nothing unshowable; undefined when not. */
function text(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= max && !UNSHOWABLE_IN_LINE.test(trimmed) ? trimmed : undefined;
}

const id = (value: unknown): value is string => typeof value === 'string' && value.length >= 1 && value.length <= 64;

const STATES: ReadonlySet<unknown> = new Set(US_STATES);
const LANGUAGE_SET: ReadonlySet<unknown> = new Set(LANGUAGES);

/**
 * The record SignatureRecordSchema would give for `raw`, when `raw` is plainly a good one; undefined
 * otherwise (then ask the schema: it may still accept, or it says what is wrong).
 */
export function acceptedRecord(raw: unknown): SignatureRecord | undefined {
  if (!isObject(raw)) return undefined;
  const { petition, place, assisted, seq, sealed } = raw;
  if (
    !(typeof raw.id === 'string' && UUID_V7_PATTERN.test(raw.id)) ||
    !id(raw.deviceId) ||
    !(typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1) ||
    !id(raw.driveId) ||
    !isObject(petition) ||
    !(typeof petition.version === 'string' && HEX_SHA256.test(petition.version)) ||
    !LANGUAGE_SET.has(petition.language) ||
    !(typeof raw.capturedAt === 'string' && ISO_TIMESTAMP_REGEX.test(raw.capturedAt)) ||
    !isObject(place) ||
    !STATES.has(place.state) ||
    !(typeof sealed === 'string' && sealed.length <= MAX_SEALED_CHARS && isSealedText(sealed)) ||
    !(typeof raw.digest === 'string' && HEX_SHA256.test(raw.digest))
  ) {
    return undefined;
  }
  const volunteer = text(raw.volunteer, 80);
  const city = text(place.city, 100);
  if (volunteer === undefined || city === undefined) return undefined;
  let attestedBy: string | undefined;
  if (assisted === undefined) {
    // Present but undefined (never so in JSON): the schema would keep the member; leave it to the schema.
    if ('assisted' in raw) return undefined;
  } else {
    if (!isObject(assisted)) return undefined;
    attestedBy = text(assisted.attestedBy, 80);
    if (attestedBy === undefined) return undefined;
  }
  // The schema's order of members; members it does not know are left out, as it leaves them.
  return {
    id: raw.id,
    deviceId: raw.deviceId,
    seq,
    driveId: raw.driveId,
    petition: { version: petition.version, language: petition.language as SignatureRecord['petition']['language'] },
    volunteer,
    capturedAt: raw.capturedAt,
    place: { city, state: place.state as SignatureRecord['place']['state'] },
    ...(attestedBy === undefined ? {} : { assisted: { attestedBy } }),
    sealed,
    digest: raw.digest,
  };
}
