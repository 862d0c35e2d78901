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
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Every 4xx/5xx answer of the API has this body. */
export interface ApiError {
  error: { code: ErrorCode; message: string; field?: string };
}

// ── device → server ──────────────────────────────────────────────────────────

export interface EnrollRequest {
  protocol: typeof PROTOCOL_VERSION;
  code: string;
  deviceName?: string;
}

export interface DeviceTotals {
  /** Highest sequence number the device has captured. */
  capturedThrough: number;
  /** Records on the device not yet confirmed by the server. */
  waiting: number;
  appVersion: string;
  storage?: { usage: number; quota: number; persisted: boolean };
}

export interface BatchRequest {
  protocol: typeof PROTOCOL_VERSION;
  records: SignatureRecord[];
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
  petitions: PetitionVersion[];
  /** Volunteers of the drive, offered when a volunteer starts a shift on a device. */
  roster?: string[];
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

/** What the server holds of this device after the batch. */
export interface Receipt {
  deviceId: string;
  received: number;
  capturedThrough: number;
}

export interface BatchResponse {
  protocol: typeof PROTOCOL_VERSION;
  results: RecordResult[];
  receipt: Receipt;
}

/** The petition version digest: identical on the server that makes it and the device that checks it. */
export function petitionVersionContent(p: Omit<PetitionVersion, 'version'>): { language: Language; title: string; text: string } {
  return { language: p.language, title: p.title, text: p.text };
}
