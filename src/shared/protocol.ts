// The device ⇄ server sync protocol, version 1. Messages per direction; the README documents them
// with examples. Bump PROTOCOL_VERSION on any change a deployed device could misread.
import type { SignatureRecord } from './schema';

export const PROTOCOL_VERSION = 1;

/** Bounds of one batch: the client splits to stay under them, the server refuses more. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 2 * 1024 * 1024;

export const LANGUAGES = ['en', 'es', 'zh-Hans'] as const;
export type Language = (typeof LANGUAGES)[number];

export const API = {
  enroll: '/api/v1/devices/enroll',
  batches: '/api/v1/batches',
  drive: '/api/v1/drive',
} as const;

export const RECORD_RESULTS = ['stored', 'duplicate', 'conflict', 'rejected'] as const;
export type RecordResultStatus = (typeof RECORD_RESULTS)[number];

export const ERROR_CODES = [
  'invalid_json',
  'invalid_body',
  /** The address itself is malformed (`%` not followed by two hex digits). */
  'invalid_url',
  'invalid_field',
  'body_too_large',
  'unsupported_media_type',
  'unsupported_protocol',
  'unauthorized',
  'device_revoked',
  'invalid_code',
  'not_found',
  'digest_mismatch',
  'wrong_device',
  'unknown_petition',
  'sequence_taken',
  /** A record with this id is already stored with other content: a conflict, kept for the lead. */
  'content_differs',
  /** Lead and organizer API: wrong sign-in, no session, not allowed, cross-site request, too many tries. */
  'invalid_credentials',
  'forbidden',
  'csrf',
  'rate_limited',
  /** The instance is saturated or restarting: 503 with Retry-After; the device tries again then. */
  'overloaded',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every 4xx/5xx answer of the API has this body. */
export interface ApiError {
  error: { code: ErrorCode; message: string; field?: string };
}

// ── device → server ──────────────────────────────────────────────────────────

/** What a device says of itself, for the lead's day's-end table: on enrolling, and in every batch's totals. */
export interface DeviceReport {
  appVersion: string;
  /** The browser's storage estimate, and whether it promised to keep the data (navigator.storage.persist). */
  storage?: { usage: number; quota: number; persisted: boolean };
}

export interface EnrollRequest {
  protocol: typeof PROTOCOL_VERSION;
  code: string;
  deviceName?: string;
  device?: DeviceReport;
}

export interface DeviceTotals extends DeviceReport {
  /** Highest sequence number the device has captured. */
  capturedThrough: number;
  /** Records on the device not yet confirmed by the server. */
  waiting: number;
}

/** The volunteer struck a signature: a change of its state, keyed by the record's id and sequence number. */
export interface VoidNotice {
  id: string;
  seq: number;
  reason: string;
  /** When the volunteer struck it, on the device's clock. */
  voidedAt: string;
}

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

export const VOID_RESULTS = ['voided', 'duplicate', 'rejected'] as const;
export type VoidResult =
  | { id: string; status: 'voided' | 'duplicate' }
  | { id: string; status: 'rejected'; reason: { code: ErrorCode; message: string; field?: string } };

/** At most this many missing sequence numbers are listed in a receipt; `missingCount` has them all. */
export const MAX_RECEIPT_MISSING = 100;

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
