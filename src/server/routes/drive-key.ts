// The drive's passphrase, organizers of the drive only: whether the drive has its key; its first key
// for a drive created before sealing (its clear signer rows sealed to it in the same transaction); and
// a new passphrase, opened with the old one or the recovery key. Answers that carry a recovery key
// are `no-store`; every change is an audit entry. The passphrase is never stored or logged.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { ChangePassphraseSchema, SetPassphraseSchema, type DriveKeySet, type DriveKeyStatus } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { canonicalJson } from '../../shared/digest';
import { importDrivePublicKey, sealSignerDetails, sealText } from '../../shared/signer-seal';
import { signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { isUniqueViolation } from '../db/connect';
import { replacePassphraseWrap, storeDriveKey } from '../db/drive-keys';
import type { Database } from '../db/schema';
import { createDriveKey, rewrapWithPassphrase } from '../drive-keys';
import { clearDetailsOf, unlockDrive } from '../signer-access';

type Params = { driveId: string };

const noDrive = () => new ApiProblem(404, 'not_found', 'There is no such drive');

async function driveExists(db: Kysely<Database>, driveId: string): Promise<boolean> {
  return (await db.selectFrom('drives').select('id').where('id', '=', driveId).executeTakeFirst()) !== undefined;
}

/** Rows filed before sealing (protocol 1) whose details are still in clear columns. */
async function clearSignatureCount(db: Kysely<Database>, driveId: string): Promise<number> {
  const { n } = await db
    .selectFrom('signatures')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('drive_id', '=', driveId)
    .where('sealed', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** Rows sealed a page at a time (the page's rows and their sealed payloads in memory, never the drive's). */
const SEAL_PAGE = 200;

/**
 * Seals every clear row of the drive to its new public key and empties the clear columns; call in the
 * transaction that stores the key, so the drive is never left half sealed. Returns how many it sealed.
 */
export async function sealClearSignatures(trx: Kysely<Database>, driveId: string, publicKey: string): Promise<number> {
  const key = await importDrivePublicKey(publicKey);
  let sealed = 0;
  let after = '';
  for (;;) {
    const rows = await trx
      .selectFrom('signatures')
      .select(['id', 'drive_id', 'city', 'state', 'sealed', 'given_name', 'family_name', 'street', 'zip', 'email', 'autograph', 'location'])
      .where('drive_id', '=', driveId)
      .where('sealed', 'is', null)
      .where('id', '>', after)
      .orderBy('id')
      .limit(SEAL_PAGE)
      .execute();
    for (const row of rows) {
      const payload = await sealSignerDetails(key, clearDetailsOf(row), { driveId, recordId: row.id });
      await trx
        .updateTable('signatures')
        .set({ sealed: payload, given_name: null, family_name: null, street: null, zip: null, email: null, autograph: null, location: null })
        .where('id', '=', row.id)
        .execute();
      sealed++;
    }
    if (rows.length < SEAL_PAGE) return sealed;
    after = rows[rows.length - 1]!.id;
  }
}

/**
 * Conflicting deliveries kept from before sealing hold their record as it arrived, signer in clear:
 * their details are sealed the same way (the body becomes a protocol-2 record, its digest as sent).
 * Call in the same transaction as sealClearSignatures.
 */
export async function sealClearConflicts(trx: Kysely<Database>, driveId: string, publicKey: string): Promise<number> {
  const key = await importDrivePublicKey(publicKey);
  const conflicts = await trx
    .selectFrom('conflicts')
    .innerJoin('devices', 'devices.id', 'conflicts.device_id')
    .select(['conflicts.id', 'conflicts.record_id', 'conflicts.body'])
    .where('devices.drive_id', '=', driveId)
    .execute();
  let sealed = 0;
  for (const conflict of conflicts) {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(conflict.body) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (typeof body !== 'object' || body === null || !('signer' in body || 'autograph' in body || 'location' in body)) continue;
    const { signer, autograph, location, ...rest } = body;
    const place = typeof signer === 'object' && signer !== null ? (signer as Record<string, unknown>) : {};
    const recordId = typeof rest.id === 'string' ? rest.id : conflict.record_id;
    const details = { signer, autograph, ...(location !== undefined && { location }) };
    const payload = await sealText(key, canonicalJson(details), { driveId, recordId });
    const next = { ...rest, place: { city: place.city ?? null, state: place.state ?? null }, sealed: payload };
    await trx
      .updateTable('conflicts')
      .set({ body: JSON.stringify(next) })
      .where('id', '=', conflict.id)
      .execute();
    sealed++;
  }
  return sealed;
}

export function driveKeyRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  const organizerOfDrive = requireAccount({ role: 'organizer', drive: true });
  const base = '/api/v1/drives/:driveId/key';

  app.get<{ Params: Params }>(base, { preHandler: organizerOfDrive }, async (request): Promise<DriveKeyStatus> => {
    const { driveId } = request.params;
    if (!(await driveExists(db, driveId))) throw noDrive();
    const row = await db.selectFrom('drive_keys').select('updated_at').where('drive_id', '=', driveId).executeTakeFirst();
    return { hasKey: row !== undefined, updatedAt: row?.updated_at ?? null, clearSignatures: await clearSignatureCount(db, driveId) };
  });

  // A drive created before sealing: its first passphrase makes its key and seals what it holds.
  app.post<{ Params: Params }>(base, { preHandler: organizerOfDrive }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const checked = check(SetPassphraseSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, undefined);
    const { driveId } = request.params;
    if (!(await driveExists(db, driveId))) throw noDrive();
    const hasKey = () => new ApiProblem(409, 'invalid_field', 'This drive has its passphrase already: change it instead', 'newPassphrase');
    if (await db.selectFrom('drive_keys').select('drive_id').where('drive_id', '=', driveId).executeTakeFirst()) throw hasKey();
    const { account } = signedIn(request);
    const key = await createDriveKey(checked.value.newPassphrase, driveId);
    let sealedSignatures: number;
    try {
      sealedSignatures = await db.transaction().execute(async (trx) => {
        await storeDriveKey(trx, driveId, key, account.id);
        await sealClearConflicts(trx, driveId, key.publicKey);
        return sealClearSignatures(trx, driveId, key.publicKey);
      });
    } catch (e) {
      // Another organizer set it at the same moment: theirs stands.
      if (isUniqueViolation(e)) throw hasKey();
      throw e;
    }
    await recordAudit(db, { action: 'drive_passphrase_set', account, address: request.ip, driveId, signers: sealedSignatures });
    // The only time the recovery key leaves the server: it is not stored.
    return reply.code(201).send({ recoveryKey: key.recoveryKey, sealedSignatures } satisfies DriveKeySet);
  });

  app.post<{ Params: Params }>(`${base}/passphrase`, { preHandler: organizerOfDrive }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const checked = check(ChangePassphraseSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, undefined);
    const { driveId } = request.params;
    if (!(await driveExists(db, driveId))) throw noDrive();
    const { account } = signedIn(request);
    const key = await unlockDrive(db, driveId, checked.value.unlock, { account, address: request.ip }, 'passphrase_change');
    const byPassphrase = await rewrapWithPassphrase(key, checked.value.newPassphrase, driveId);
    await replacePassphraseWrap(db, driveId, byPassphrase);
    await recordAudit(db, {
      action: 'drive_passphrase_changed',
      account,
      address: request.ip,
      driveId,
      detail: { using: 'recoveryKey' in checked.value.unlock ? 'recovery_key' : 'passphrase' },
    });
    return reply.code(204).send();
  });
}
