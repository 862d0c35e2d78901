// The lead and organizer API (cookie session, not the device protocol): paths, request and answer
// shapes. The dashboard in src/lead and the routes in src/server both use these.
import * as v from 'valibot';
import type { DeliveryBuildResult, DeliveryOptions, DeliveryProgress } from './delivery';
import { LANGUAGES, type Language, type Role } from './constants';
import { isTimeZone } from './local-day';
import { finite, showable, SIGNER_FIELDS } from './schema';
import { text } from './signer-schema';

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'fieldpen_session';

export const LEAD_API = {
  session: '/api/v1/session',
  password: '/api/v1/session/password',
  accounts: '/api/v1/accounts',
  drives: '/api/v1/drives',
  drive: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}`,
  driveLead: (driveId: string, accountId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/leads/${encodeURIComponent(accountId)}`,
  codes: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/codes`,
  device: (driveId: string, deviceId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/devices/${encodeURIComponent(deviceId)}`,
  revokeDevice: (driveId: string, deviceId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/devices/${encodeURIComponent(deviceId)}/revoke`,
  roster: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/roster`,
  dashboard: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/dashboard`,
  /** POST with the drive's passphrase (DriveUnlock): the latest signers, opened (`no-store`). */
  signatures: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/signatures`,
  /** GET: whether the drive has its key (DriveKeyStatus); POST: set it on a drive made before sealing. */
  driveKey: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/key`,
  /** POST: a new passphrase, opened with the old one or the recovery key. */
  drivePassphrase: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/key/passphrase`,
  events: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/events`,
  deliveries: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/deliveries`,
  deliveryPreview: (driveId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/deliveries/preview`,
  delivery: (driveId: string, deliveryId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/deliveries/${encodeURIComponent(deliveryId)}`,
  deliveryPackage: (driveId: string, deliveryId: string, file: string) =>
    `/api/v1/drives/${encodeURIComponent(driveId)}/deliveries/${encodeURIComponent(deliveryId)}/packages/${encodeURIComponent(file)}`,
  deliveryReport: (driveId: string, deliveryId: string) => `/api/v1/drives/${encodeURIComponent(driveId)}/deliveries/${encodeURIComponent(deliveryId)}/report`,
} as const;

export type { Role } from './constants';

export interface AccountInfo {
  id: string;
  email: string;
  name: string;
  role: Role;
  /** Drives a lead may see; an organizer sees every drive. */
  driveIds: string[];
}

export interface SessionInfo {
  account: AccountInfo;
  /** Send it back as the X-CSRF-Token header on every state-changing request. */
  csrfToken: string;
}

export interface PetitionText {
  language: Language;
  title: string;
  text: string;
}

export interface DriveDetails {
  id: string;
  title: string;
  goal: number;
  deadline: string | null;
  recipient: string | null;
  coverLetter: string | null;
  /** IANA zone of the drive's days (the organizer's): every day figure counts by it. */
  timeZone: string;
  requiredFields: string[];
  /** Hours tablets keep a confirmed record's sealed details; null: until the shift ends, at the latest the next day. */
  purgeAfterHours: number | null;
  /** False for a drive made before drive keys: the organizer must set its passphrase before tablets can enroll. */
  hasKey: boolean;
  /** Current texts, one per language. */
  petitions: (PetitionText & { version: string })[];
  /** Every text the drive has had, oldest first; records made with any of them still count. */
  versions: (PetitionText & { version: string; createdAt: string; supersededAt: string | null })[];
  leads: { id: string; name: string; email: string }[];
}

export interface EnrollmentCodeInfo {
  code: string;
  usesLeft: number;
  expiresAt: string;
  /** An SVG QR code of the code, made on the server. */
  qrSvg: string;
}

export interface DeviceRow {
  id: string;
  name: string;
  revoked: boolean;
  volunteers: string[];
  lastSyncAt: string | null;
  /** Signatures the server holds that this device took today, in the drive's time zone (voided ones included). */
  today: number;
  /** What the device said it still holds, at its last sync. */
  waiting: number;
  capturedThrough: number;
  received: number;
  /** Sequence numbers up to captured-through the server does not hold (capped, see `missingCount`). */
  missing: number[];
  missingCount: number;
  complete: boolean;
  appVersion: string | null;
  storagePersisted: boolean | null;
}

export interface Dashboard {
  drive: { id: string; title: string; goal: number; deadline: string | null; timeZone: string };
  /** Today in the drive's time zone, YYYY-MM-DD. */
  today: string;
  total: number;
  /** Days in the drive's time zone, from the first with signatures through the last; zero where none. */
  perDay: { day: string; count: number }[];
  perVolunteer: { volunteer: string; count: number }[];
  perCity: { city: string; state: string; count: number }[];
  perVersion: { version: string; language: string; count: number }[];
  voided: number;
  rejected: number;
  conflicts: number;
  devices: DeviceRow[];
  generatedAt: string;
}

export interface SignerRow {
  id: string;
  seq: number;
  deviceName: string;
  volunteer: string;
  capturedAt: string;
  givenName: string;
  familyName: string;
  street: string;
  city: string;
  state: string;
  zip: string;
  email: string | null;
  /** The record did not open with the drive's key (or disagrees with its clear place): no details shown. */
  unreadable?: boolean;
}

export const DELIVERY_STATES = ['building', 'done', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** One ZIP of a delivery (one per state when the organizer chose per-state packages). */
export type DeliveryPackage = DeliveryBuildResult['packages'][number];

/** A delivery as the dashboard lists it: who built it, when, with what, and what came out. */
export interface DeliverySummary {
  id: string;
  driveId: string;
  state: DeliveryState;
  createdAt: string;
  finishedAt: string | null;
  builtBy: { id: string; name: string };
  options: DeliveryOptions;
  /** What was delivered, and how many were left out per reason (when done). */
  counts: (DeliveryBuildResult['counts'] & { excluded: DeliveryBuildResult['excluded'] }) | null;
  /** Signers delivered (when done). */
  signatures: number | null;
  packages: DeliveryPackage[];
  /** The campaign's exclusions report (CSV), when done. */
  reportFile: string | null;
  /** Why the build failed, in words for the organizer. */
  error: string | null;
  progress: DeliveryProgress;
}

/** The answer to starting a build: its id, to follow its progress. */
export interface DeliveryStarted {
  id: string;
}

// ── request bodies ───────────────────────────────────────────────────────────

export const SignInSchema = v.object({
  email: v.pipe(v.string('email must be text'), v.trim(), v.toLowerCase(), v.nonEmpty('Enter your email'), v.maxLength(254), showable('email')),
  password: v.pipe(v.string('password must be text'), v.nonEmpty('Enter your password'), v.maxLength(200)),
});

export const MIN_PASSWORD_LENGTH = 10;

export const ChangePasswordSchema = v.object({
  currentPassword: v.pipe(v.string(), v.nonEmpty('Enter your current password'), v.maxLength(200)),
  newPassword: v.pipe(v.string(), v.minLength(MIN_PASSWORD_LENGTH, `The new password needs at least ${MIN_PASSWORD_LENGTH} characters`), v.maxLength(200)),
});

export const NewLeadSchema = v.object({
  email: v.pipe(v.string(), v.trim(), v.toLowerCase(), v.email('Enter an email like name@example.org'), v.maxLength(254)),
  name: text('name', 100),
  role: v.optional(v.picklist(['organizer', 'lead'] as const, 'role is organizer or lead'), 'lead'),
});

const PetitionTextSchema = v.object({
  language: v.picklist(LANGUAGES, 'language is not a language of the app'),
  title: text('petition title', 200),
  text: v.pipe(
    v.string(),
    v.trim(),
    v.nonEmpty('Enter the petition text'),
    v.maxLength(20_000, 'The petition text is too long'),
    showable('petition text', { lines: true }),
  ),
});

/** A week: a tablet that keeps confirmed signers longer is a tablet worth stealing. */
export const MAX_PURGE_AFTER_HOURS = 24 * 7;

const DriveFields = {
  title: text('drive title', 200),
  goal: v.pipe(finite('goal'), v.safeInteger('goal must be a whole number'), v.minValue(1, 'goal must be at least 1'), v.maxValue(100_000_000)),
  deadline: v.nullish(v.pipe(v.string(), v.isoDate('deadline must be a date like 2026-12-31'))),
  recipient: v.nullish(v.pipe(v.string(), v.trim(), v.maxLength(500, 'The recipient is too long'), showable('recipient'))),
  coverLetter: v.nullish(v.pipe(v.string(), v.maxLength(20_000, 'The cover letter is too long'), showable('cover letter', { lines: true }))),
  timeZone: v.optional(v.pipe(v.string('timeZone must be text'), v.check(isTimeZone, 'Choose a time zone by its name, like America/Chicago'))),
  purgeAfterHours: v.nullish(
    v.pipe(
      finite('purgeAfterHours'),
      v.safeInteger('purgeAfterHours must be a whole number of hours'),
      v.minValue(0, 'purgeAfterHours is 0 or more'),
      v.maxValue(MAX_PURGE_AFTER_HOURS, `Tablets keep sealed signers at most ${MAX_PURGE_AFTER_HOURS} hours after the server confirmed them`),
    ),
  ),
  requiredFields: v.optional(v.array(v.picklist(SIGNER_FIELDS, 'requiredFields names a field the form does not have'))),
  petitions: v.pipe(
    v.array(PetitionTextSchema),
    v.minLength(1, 'Give the petition text in at least one language'),
    v.check((list) => new Set(list.map((p) => p.language)).size === list.length, 'Give each language once'),
  ),
};

/** A drive passphrase guards every signer of the drive. */
export const MIN_PASSPHRASE_LENGTH = 12;
export const MAX_PASSPHRASE_LENGTH = 1024;
export const PassphraseSchema = v.pipe(
  v.string('passphrase must be text'),
  v.minLength(MIN_PASSPHRASE_LENGTH, `The drive passphrase has at least ${MIN_PASSPHRASE_LENGTH} characters`),
  v.maxLength(MAX_PASSPHRASE_LENGTH, 'The drive passphrase is too long'),
);

export const NewDriveSchema = v.object({ ...DriveFields, passphrase: PassphraseSchema });

/** The answer to creating a drive: its details and the recovery key, shown this once and never stored. */
export type CreatedDriveDetails = DriveDetails & { recoveryKey: string };
export const DriveEditSchema = v.partial(v.object(DriveFields));

export const MAX_CODE_USES = 100;
export const MAX_CODE_HOURS = 24 * 90;

export const NewCodeSchema = v.object({
  uses: v.optional(
    v.pipe(
      finite('uses'),
      v.safeInteger('uses must be a whole number'),
      v.minValue(1, 'uses must be at least 1'),
      v.maxValue(MAX_CODE_USES, `at most ${MAX_CODE_USES} uses`),
    ),
    1,
  ),
  hours: v.optional(
    v.pipe(finite('hours'), v.minValue(0.25, 'a code lasts at least 15 minutes'), v.maxValue(MAX_CODE_HOURS, `a code lasts at most ${MAX_CODE_HOURS} hours`)),
    12,
  ),
});

export const DeviceEditSchema = v.object({ name: text('device name', 80) });

export const RosterSchema = v.object({
  volunteers: v.pipe(v.array(text('volunteer name', 80)), v.maxLength(1000, 'A roster holds at most 1000 names')),
});

// ── the drive's key: unlocking, setting and changing its passphrase ───────────

const SECRET_MAX = MAX_PASSPHRASE_LENGTH;

/** What opens a drive's key for one operation: its passphrase, or the recovery key shown at its creation. */
export type DriveUnlock = { passphrase: string } | { recoveryKey: string };

const unlockFields = {
  passphrase: v.optional(v.pipe(v.string('passphrase must be text'), v.maxLength(SECRET_MAX, 'The passphrase is too long'))),
  recoveryKey: v.optional(v.pipe(v.string('recoveryKey must be text'), v.maxLength(200, 'A recovery key is 64 hexadecimal digits'))),
};

/** Exactly one of passphrase and recoveryKey, not empty; a missing one is named as `passphrase`. */
function unlockOf(body: { passphrase?: string | undefined; recoveryKey?: string | undefined }): DriveUnlock {
  return body.recoveryKey ? { recoveryKey: body.recoveryKey } : { passphrase: body.passphrase ?? '' };
}

type Secrets = { passphrase?: string | undefined; recoveryKey?: string | undefined };

/** One secret, not both: the problem is named on the passphrase field. */
function oneSecret<T extends Secrets>() {
  return v.forward<T, v.CheckIssue<T>, ['passphrase']>(
    v.check((b: T) => Boolean(b.passphrase) !== Boolean(b.recoveryKey), "Enter the drive's passphrase (or its recovery key)"),
    // `passphrase` is a key of every T here; the generic hides it from ValidPath.
    ['passphrase'] as never,
  );
}

/** A body that opens the drive: `{passphrase}` or `{recoveryKey}`. */
export const DriveUnlockSchema = v.pipe(v.object(unlockFields), oneSecret(), v.transform(unlockOf));

export const SIGNERS_MAX = 500;

/** `POST signatures`: the drive's passphrase and how many of the latest signers to open. */
export const SignersRequestSchema = v.pipe(
  v.object({
    ...unlockFields,
    limit: v.optional(
      v.pipe(
        finite('limit'),
        v.safeInteger('limit must be a whole number'),
        v.minValue(1, 'limit must be at least 1'),
        v.maxValue(SIGNERS_MAX, `at most ${SIGNERS_MAX} signers at once`),
      ),
      50,
    ),
  }),
  oneSecret(),
  v.transform((b) => ({ unlock: unlockOf(b), limit: b.limit })),
);

const newPassphrase = v.pipe(
  v.string('newPassphrase must be text'),
  v.minLength(MIN_PASSPHRASE_LENGTH, `The new passphrase needs at least ${MIN_PASSPHRASE_LENGTH} characters: a few words nobody could guess`),
  v.maxLength(MAX_PASSPHRASE_LENGTH, 'The new passphrase is too long'),
);

/** `POST key`: the first passphrase of a drive made before sealing. */
export const SetPassphraseSchema = v.object({ newPassphrase });

/** `POST key/passphrase`: the old passphrase (or the recovery key) and the new one. */
export const ChangePassphraseSchema = v.pipe(
  v.object({ ...unlockFields, newPassphrase }),
  oneSecret(),
  v.transform((b) => ({ unlock: unlockOf(b), newPassphrase: b.newPassphrase })),
);

export interface DriveKeyStatus {
  /** The drive has its key: tablets seal to it, and only its passphrase or recovery key opens a signer. */
  hasKey: boolean;
  /** When the passphrase was last set or changed. */
  updatedAt: string | null;
  /** Rows filed before sealing whose details are still in clear (sealed when the passphrase is set). */
  clearSignatures: number;
}

/** The answer to setting a drive's first passphrase: the recovery key, shown this once (`no-store`). */
export interface DriveKeySet {
  recoveryKey: string;
  /** Rows filed before sealing that were sealed to the new key. */
  sealedSignatures: number;
}
