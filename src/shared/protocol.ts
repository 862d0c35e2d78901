// The device ⇄ server sync protocol, version 2. Messages per direction; the README documents them
// with examples. Bump PROTOCOL_VERSION on any change a deployed device could misread. What the server
// validates is typed from its schema (src/shared/schema.ts), never declared twice; the constants live
// in constants.ts (imports run one way: constants → schema → protocol) and are re-exported here.
import type * as v from 'valibot';
import type { ErrorCode, Language, PROTOCOL_VERSION } from './constants';
import type { DeviceReportSchema, DeviceTotalsSchema, EnrollRequestSchema, SignatureRecord, VoidNoticeSchema } from './schema';

export {
  API,
  ERROR_CODES,
  LANGUAGES,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECEIPT_MISSING,
  PROTOCOL_VERSION,
  RECORD_RESULTS,
  VOID_RESULTS,
  type ErrorCode,
  type Language,
  type RecordResultStatus,
} from './constants';

/** Every 4xx/5xx answer of the API has this body. */
export interface ApiError {
  error: { code: ErrorCode; message: string; field?: string };
}

// ── device → server ──────────────────────────────────────────────────────────

/** What a device says of itself, for the lead's day's-end table: on enrolling, and in every batch's totals. */
export type DeviceReport = v.InferOutput<typeof DeviceReportSchema>;

export type EnrollRequest = v.InferOutput<typeof EnrollRequestSchema>;

/** A batch's totals: the device's report, its highest sequence number captured and how many wait. */
export type DeviceTotals = v.InferOutput<typeof DeviceTotalsSchema>;

/** The volunteer struck a signature: a change of its state, keyed by the record's id and sequence number. */
export type VoidNotice = v.InferOutput<typeof VoidNoticeSchema>;

export interface BatchRequest {
  protocol: typeof PROTOCOL_VERSION;
  records: SignatureRecord[];
  /** Voids, filed after the records of the same batch (a record voided before it was ever sent travels with its void). */
  voids?: VoidNotice[];
  totals: DeviceTotals;
}

// ── server → device ──────────────────────────────────────────────────────────

export interface PetitionVersion {
  /** SHA-256 of the canonical {language, title, text}: what a record names as `petition.version`. */
  version: string;
  language: Language;
  title: string;
  text: string;
}

export interface DriveInfo {
  id: string;
  title: string;
  goal: number;
  /** The current text in each language (older versions are still accepted from devices). */
  petitions: PetitionVersion[];
  /** Volunteer names the lead put on the drive's roster, for the shift picker. */
  roster?: string[];
  /** Signer fields this drive requires (SIGNER_FIELDS names); absent means the schema's defaults. */
  requiredFields?: string[];
  /**
   * The drive's public key (base64url of the raw P-256 point): every signer's details are sealed to it
   * at Save (src/shared/signer-seal.ts). Only the organizer's passphrase opens the private key.
   */
  sealKey: string;
  /**
   * Hours after the server confirmed it that a record's sealed details leave the tablet; absent means
   * the default: when the shift ends, at the latest the next day (tablet's local midnight).
   */
  purgeAfterHours?: number;
}

export interface EnrollResponse {
  protocol: typeof PROTOCOL_VERSION;
  deviceId: string;
  /** Shown once; the server keeps only its hash. */
  token: string;
  drive: DriveInfo;
}

export type RecordResult =
  | { id: string; status: 'stored' | 'duplicate' }
  | { id: string; status: 'conflict'; reason: { code: ErrorCode; message: string } }
  | { id: string; status: 'rejected'; reason: { code: ErrorCode; message: string; field?: string } };

export type VoidResult =
  { id: string; status: 'voided' | 'duplicate' } | { id: string; status: 'rejected'; reason: { code: ErrorCode; message: string; field?: string } };

/** What the server holds of this device after the batch. */
export interface Receipt {
  deviceId: string;
  /** Signatures of this device the server holds (voided ones included). */
  received: number;
  /** The highest sequence number the device has reported capturing. */
  capturedThrough: number;
  /** Every sequence number from 1 to this one is held. */
  contiguousThrough: number;
  /** The first missing sequence numbers (at most MAX_RECEIPT_MISSING), ascending. */
  missing: number[];
  missingCount: number;
  /** Held signatures the volunteer voided. */
  voided: number;
  /** Short code over what the server holds (src/shared/receipt-code.ts), e.g. `7F3A-91C2`. */
  code: string;
  /** True when every sequence number up to capturedThrough is held. */
  complete: boolean;
}

export interface BatchResponse {
  protocol: typeof PROTOCOL_VERSION;
  results: RecordResult[];
  /** One per void sent, in order; absent when none were sent. */
  voidResults?: VoidResult[];
  receipt: Receipt;
}

/** The petition version digest: identical on the server that makes it and the device that checks it. */
export function petitionVersionContent(p: Omit<PetitionVersion, 'version'>): { language: Language; title: string; text: string } {
  return { language: p.language, title: p.title, text: p.text };
}
