// The protocol's constants: its version, bounds, paths and the `as const` lists its messages name.
// Nothing here imports anything, so the schema (schema.ts) and the messages (protocol.ts) can both
// build on it: constants → schema → protocol.

// Version 2: a record carries its signer's details and autograph sealed to the drive's key (`sealed`),
// with only the fields the counts need in clear (city, state). Version 1 devices are refused.
export const PROTOCOL_VERSION = 2;

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
  /** A delivery of this drive is already being built: one at a time. */
  'delivery_running',
  /** The delivery is still building, or failed: it has no files to download. */
  'delivery_not_ready',
  /** The drive's passphrase or recovery key does not open its key. */
  'wrong_passphrase',
  /** The drive has no key yet: the organizer sets its passphrase before any tablet can seal to it. */
  'drive_key_missing',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const VOID_RESULTS = ['voided', 'duplicate', 'rejected'] as const;

/** At most this many missing sequence numbers are listed in a receipt; `missingCount` has them all. */
export const MAX_RECEIPT_MISSING = 100;

/** Who signs in to the dashboard: an organizer sees every drive, a lead the drives they lead. */
export const ROLES = ['organizer', 'lead'] as const;
export type Role = (typeof ROLES)[number];
