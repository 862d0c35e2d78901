// Row types of the server database, for Kysely. Timestamps are ISO-8601 UTC text (toISOString), so
// they compare correctly as text on SQLite and PostgreSQL alike; flags are 0/1 integers.
import type { Generated } from 'kysely';
import type { Role } from '../../shared/constants';
import type { DeliveryState } from '../../shared/lead-api';

export interface DrivesTable {
  id: string;
  title: string;
  goal: number;
  created_at: string;
  deadline: string | null;
  /** Who receives the petition, e.g. "Mayor and City Council of Springfield". */
  recipient: string | null;
  cover_letter: string | null;
  /** JSON list of the signer fields the drive requires; null means the shared schema's defaults. */
  required_fields: string | null;
  updated_at: string | null;
  /** IANA zone of the drive's days (src/shared/local-day.ts): tallies and the per-day chart count by it. */
  time_zone: Generated<string>;
  /** Hours a tablet keeps a confirmed record's sealed details; null: until the shift ends, at the latest the next day. */
  purge_after_hours: number | null;
}

export interface PetitionVersionsTable {
  /** SHA-256 hex of the canonical {language, title, text}; the key is (drive_id, version). */
  version: string;
  drive_id: string;
  language: string;
  title: string;
  text: string;
  created_at: string;
  /** Set when an edit replaced this text; records made with it are still accepted and counted. */
  superseded_at: string | null;
}

export interface EnrollmentCodesTable {
  /** Upper case, grouped like `K7QM-3XPD`. */
  code: string;
  drive_id: string;
  uses_left: number;
  expires_at: string;
  created_at: string;
}

export interface DevicesTable {
  id: string;
  drive_id: string;
  name: string;
  /** SHA-256 hex of the bearer token; the token itself is never stored. */
  token_hash: string;
  enrolled_at: string;
  revoked_at: string | null;
  /** When the revoked device was first told to wipe (its next contact after the revoke). */
  wipe_told_at: string | null;
  last_sync_at: string | null;
  captured_through: Generated<number>;
  waiting: Generated<number>;
  app_version: string | null;
  // bigint columns: quotas pass 2^31 bytes. (A pg dialect must parse int8 as number.)
  storage_usage: number | null;
  storage_quota: number | null;
  storage_persisted: number | null;
  /** XOR of the receipt entries of every held signature (src/shared/receipt-code.ts). */
  receipt_xor: Generated<string>;
  /** How many signatures of this device are held. */
  received: Generated<number>;
}

export interface SignaturesTable {
  id: string;
  device_id: string;
  seq: number;
  drive_id: string;
  petition_version: string;
  language: string;
  volunteer: string;
  captured_at: string;
  /** Clear signer columns: only rows filed before protocol 2 hold them; null for every sealed row. */
  given_name: string | null;
  family_name: string | null;
  street: string | null;
  /** In clear for the counts per place (protocol 2: the record's `place`). */
  city: string;
  state: string;
  zip: string | null;
  email: string | null;
  autograph: string | null;
  /** JSON of {latitude, longitude, accuracy}, only with the signer's consent. */
  location: string | null;
  digest: string;
  received_at: string;
  /** Set when the volunteer struck the signature: its reason, the device's time, and when the void arrived. */
  void_reason: string | null;
  voided_at: string | null;
  void_received_at: string | null;
  /** Signed with assistance: the volunteer who attested it. */
  assisted_by: string | null;
  /** The signer's details sealed to the drive's key, exactly as the device sent them (protocol 2). */
  sealed: string | null;
}

/** A drive's key pair: the public key tablets seal to, the private key only wrapped (src/server/drive-keys.ts). */
export interface DriveKeysTable {
  drive_id: string;
  public_key: string;
  /** JSON WrappedKey under the organizer's passphrase. */
  by_passphrase: string;
  /** JSON WrappedKey under the recovery key. */
  by_recovery_key: string;
  created_at: string;
  created_by: string | null;
  updated_at: string;
}

/** A delivery that clashed with a stored record: kept as received, for the lead to review. */
export interface ConflictsTable {
  id: string;
  record_id: string;
  device_id: string;
  seq: number;
  digest: string;
  body: string;
  code: string;
  received_at: string;
}

export interface RejectionsTable {
  id: string;
  device_id: string;
  record_id: string | null;
  seq: number | null;
  code: string;
  field: string | null;
  message: string;
  received_at: string;
}

export type { Role } from '../../shared/constants';

export interface AccountsTable {
  id: string;
  /** Lower case; the sign-in name. */
  email: string;
  name: string;
  role: Role;
  /** `scrypt$N$r$p$salt$hash`, see passwords.ts. */
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
}

export interface DriveLeadsTable {
  drive_id: string;
  account_id: string;
}

export interface SessionsTable {
  /** SHA-256 hex of the cookie's token; the token itself is never stored. */
  token_hash: string;
  account_id: string;
  /** Sent back in the X-CSRF-Token header on every state-changing request. */
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface RosterTable {
  drive_id: string;
  volunteer: string;
  added_at: string;
}

/** Wrong passwords and enrollment codes, counted per key in a window; shared by every server instance. */
export interface FailedAttemptsTable {
  key: string;
  failures: number;
  window_started_at: string;
}

/** Signatures counted as they are stored, by everything the dashboard groups by. */
export interface SignatureTalliesTable {
  drive_id: string;
  device_id: string;
  /** Day of capture in the drive's time zone, YYYY-MM-DD. */
  day: string;
  volunteer: string;
  city: string;
  state: string;
  petition_version: string;
  language: string;
  signatures: number;
}

/** A delivery package built for a drive: who, when, with which options, and what came out. */
export interface DeliveriesTable {
  id: string;
  drive_id: string;
  /** The organizer who built it. */
  account_id: string;
  created_at: string;
  finished_at: string | null;
  state: DeliveryState;
  /** JSON of the DeliveryOptions it was built with. */
  options: string;
  /** JSON of the build's counts (delivered, per state, excluded by reason). */
  counts: string | null;
  /** Signers delivered, for the list and the hand-over records. */
  signatures: number | null;
  /** JSON list of {file, state?, sha256, bytes, signatures, pages}, one per ZIP. */
  packages: string | null;
  /** File name of the campaign's exclusions report (CSV), beside the packages. */
  report_file: string | null;
  /** What went wrong, in words for the organizer (never signer data). */
  error: string | null;
  pages_done: Generated<number>;
  pages_total: Generated<number>;
  signatures_done: Generated<number>;
  signatures_total: Generated<number>;
  /** `host:pid` of the process running the build: a restarted server fails its own leftovers. */
  builder: string;
  /** Touched as the build progresses; a building row that stops being touched belongs to a dead process. */
  heartbeat_at: string;
}

/** Signer data put in someone's hands: a delivery built, a package or report downloaded. */
export interface SignerDataReleasesTable {
  id: string;
  at: string;
  account_id: string;
  drive_id: string;
  action: string;
  delivery_id: string | null;
  file: string | null;
  signers: number;
  /** The client's address, as the server saw it (behind TRUST_PROXY, from X-Forwarded-For). */
  address: string | null;
  user_agent: string | null;
}

/** One entry of the hash-chained audit log (src/server/db/audit-log.ts); never updated or deleted. */
export interface AuditLogTable {
  seq: number;
  at: string;
  action: string;
  account_id: string | null;
  /** Who, as the log shows it: an account's email, `device:<id>`, or `server`. */
  actor: string;
  address: string | null;
  drive_id: string | null;
  /** How many signers' details the action put in someone's hands (reads, exports, deliveries). */
  signers: number | null;
  /** JSON of what else the entry needs (never a signer's details). */
  detail: string | null;
  prev_hash: string;
  hash: string;
}

export interface Database {
  audit_log: AuditLogTable;
  deliveries: DeliveriesTable;
  signer_data_releases: SignerDataReleasesTable;
  signature_tallies: SignatureTalliesTable;
  accounts: AccountsTable;
  drive_leads: DriveLeadsTable;
  sessions: SessionsTable;
  roster: RosterTable;
  failed_attempts: FailedAttemptsTable;
  drives: DrivesTable;
  petition_versions: PetitionVersionsTable;
  enrollment_codes: EnrollmentCodesTable;
  devices: DevicesTable;
  signatures: SignaturesTable;
  drive_keys: DriveKeysTable;
  conflicts: ConflictsTable;
  rejections: RejectionsTable;
}
