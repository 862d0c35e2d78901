// What the audit log records and how organizers read it: the server appends, the dashboard shows.
// One list of actions, so an entry the server writes is always one the dashboard can name.

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_out',
  'password_changed',
  'account_created',
  'lead_added',
  'lead_removed',
  'drive_unlocked',
  /** A wrong passphrase or recovery key: nothing opened. */
  'drive_unlock_failed',
  /** The drive's first key made for a drive created before sealing (its clear rows sealed). */
  'drive_passphrase_set',
  'drive_passphrase_changed',
  'signers_read',
  'delivery_built',
  'delivery_downloaded',
  'export_downloaded',
  'device_revoked',
  'device_wiped',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Where the chain starts: the `prevHash` of the first entry. */
export const AUDIT_GENESIS = '0'.repeat(64);

export interface AuditEntry {
  seq: number;
  at: string;
  action: AuditAction;
  actor: string;
  address: string | null;
  driveId: string | null;
  signers: number | null;
  detail: Record<string, unknown> | null;
  prevHash: string;
  hash: string;
}

/** The chain checked from its first entry: intact, or where it breaks and why. */
export interface AuditCheck {
  intact: boolean;
  entries: number;
  /** The newest entry's hash: write it down, and a later check shows nothing before it changed. */
  head: string;
  brokenAt?: number;
  problem?: 'hash_mismatch' | 'chain_broken' | 'sequence_gap';
}

export const AUDIT_PATH = '/api/v1/audit';
export const AUDIT_PAGE_MAX = 500;

/** `GET /api/v1/audit?limit=&before=&driveId=`: the newest entries first, and the whole chain checked. */
export interface AuditPage {
  entries: AuditEntry[];
  check: AuditCheck;
}
