// The checks a record must pass before it is filed: the shared schema, then that it belongs to the
// device and drive that sent it, names a petition version of that drive, carries sealed details, and
// matches its digest.
// No database access here: a record is refused or accepted on its own.
import type { ErrorCode, Language, RecordResult } from '../../shared/protocol';
import { check, SignatureRecordSchema, type SignatureRecord } from '../../shared/schema';
import { looksSealed } from '../../shared/signer-seal';
import type { DeviceIdentity } from '../db/devices';
import type { RefusedRecord } from '../db/rejections';
import { acceptedRecord } from './fast-record-check';
import { recordDigestMatches } from './record-digest';

export interface ScreeningContext {
  device: DeviceIdentity;
  /** The drive's petition versions and the language of each. */
  petitions: ReadonlyMap<string, Language>;
}

export type Screened =
  | { accepted: true; record: SignatureRecord; raw: unknown }
  | { accepted: false; result: Extract<RecordResult, { status: 'rejected' }>; refused: RefusedRecord };

interface Refusal {
  code: ErrorCode;
  field?: string | undefined;
  message: string;
}

/** Synchronous: the server hashes with node:crypto (record-digest.ts). */
export function screenRecord(raw: unknown, context: ScreeningContext): Screened {
  // A plainly good record is read by hand (fast-record-check.ts); any other goes through the schema.
  let record = acceptedRecord(raw);
  if (!record) {
    const checked = check(SignatureRecordSchema, raw);
    if (!checked.ok) {
      const problem = checked.problems[0] ?? { message: 'The record is not a signature record' };
      return refuse(raw, context, { code: 'invalid_field', field: problem.field, message: problem.message });
    }
    record = checked.value;
  }
  // The digest covers the record as the schema reads it (trimmed, unknown members left out).
  const refusal =
    belongingProblem(record, context) ?? (looksSealed(record.sealed) ? undefined : NOT_SEALED) ?? (recordDigestMatches(record) ? undefined : DIGEST_MISMATCH);
  return refusal ? refuse(raw, context, refusal) : { accepted: true, record, raw };
}

// The server cannot open a record (that takes the organizer's key); it checks the envelope's shape, and
// the delivery, once unlocked, lists any record whose details do not open among its exclusions.
const NOT_SEALED: Refusal = {
  code: 'invalid_field',
  field: 'sealed',
  message: "The signer's details are not sealed in a format this server knows: update the app and sync again",
};

const DIGEST_MISMATCH: Refusal = {
  code: 'digest_mismatch',
  field: 'digest',
  message: 'The record does not match its digest: it was changed or garbled after capture',
};

function belongingProblem(record: SignatureRecord, { device, petitions }: ScreeningContext): Refusal | undefined {
  if (record.deviceId !== device.id) {
    return { code: 'wrong_device', field: 'deviceId', message: 'This record was captured on another device; only that device may send it' };
  }
  if (record.driveId !== device.driveId) {
    return { code: 'invalid_field', field: 'driveId', message: "This record names a drive other than the device's drive" };
  }
  const language = petitions.get(record.petition.version);
  if (!language) {
    return { code: 'unknown_petition', field: 'petition.version', message: 'The petition version this record names is not part of the drive' };
  }
  if (language !== record.petition.language) {
    return { code: 'invalid_field', field: 'petition.language', message: `The petition version is in ${language}, not ${record.petition.language}` };
  }
  return undefined;
}

function refuse(raw: unknown, { device }: ScreeningContext, refusal: Refusal): Screened {
  const recordId = readableId(raw);
  const reason = refusal.field ? { code: refusal.code, message: refusal.message, field: refusal.field } : { code: refusal.code, message: refusal.message };
  return {
    accepted: false,
    // Results are matched to records by position; an unreadable id is answered as ''.
    result: { id: recordId ?? '', status: 'rejected', reason },
    refused: { deviceId: device.id, recordId, seq: readableSeq(raw), ...reason },
  };
}

const MAX_ID_CHARS = 64;

function readableId(raw: unknown): string | undefined {
  const id = member(raw, 'id');
  return typeof id === 'string' && id.length <= MAX_ID_CHARS ? id : undefined;
}

function readableSeq(raw: unknown): number | undefined {
  const seq = member(raw, 'seq');
  return Number.isSafeInteger(seq) ? (seq as number) : undefined;
}

function member(raw: unknown, key: string): unknown {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>)[key] : undefined;
}
