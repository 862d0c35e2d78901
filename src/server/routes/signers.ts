// Latest signers: an organizer of the drive sends its passphrase (POST, never in a URL), the server
// opens the latest records with the unlocked key for this one answer and forgets the key. Leads see
// figures, not signers. The answer is `no-store`; the unlock and the read are audit entries.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { SignersRequestSchema, type SignerRow } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import type { Database } from '../db/schema';
import { openSignature, UnreadableSignature, unlockDrive } from '../signer-access';

type Params = { driveId: string };

export function signersRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  const organizerOfDrive = requireAccount({ role: 'organizer', drive: true });

  app.post<{ Params: Params }>('/api/v1/drives/:driveId/signatures', { preHandler: organizerOfDrive }, async (request, reply) => {
    // Signer details, and an answer to a passphrase: never kept by a browser cache or a proxy.
    reply.header('cache-control', 'no-store');
    const checked = check(SignersRequestSchema, request.body);
    // Never echo the body: it holds a passphrase.
    if (!checked.ok) throw invalidRequest(checked.problems, undefined);
    const { driveId } = request.params;
    if (!(await db.selectFrom('drives').select('id').where('id', '=', driveId).executeTakeFirst()))
      throw new ApiProblem(404, 'not_found', 'There is no such drive');
    const { account } = signedIn(request);
    const key = await unlockDrive(db, driveId, checked.value.unlock, { account, address: request.ip }, 'signers');
    const rows = await latestSignatures(db, driveId, checked.value.limit);
    const signers: SignerRow[] = [];
    let unreadable = 0;
    for (const row of rows) {
      const base = {
        id: row.id,
        seq: row.seq,
        deviceName: row.deviceName,
        volunteer: row.volunteer,
        capturedAt: row.captured_at,
        city: row.city,
        state: row.state,
      };
      try {
        const { signer } = await openSignature(key, row);
        signers.push({
          ...base,
          givenName: signer.givenName,
          familyName: signer.familyName,
          street: signer.street,
          zip: signer.zip,
          email: signer.email ?? null,
        });
      } catch (e) {
        if (!(e instanceof UnreadableSignature)) throw e;
        unreadable++;
        signers.push({ ...base, givenName: '', familyName: '', street: '', zip: '', email: null, unreadable: true });
      }
    }
    // Signer details put in someone's hands: recorded before they leave.
    await recordAudit(db, {
      action: 'signers_read',
      account,
      address: request.ip,
      driveId,
      signers: signers.length - unreadable,
      ...(unreadable > 0 && { detail: { unreadable } }),
    });
    return { signers };
  });
}

/** The drive's latest signatures, newest first, with what opens them. */
function latestSignatures(db: Kysely<Database>, driveId: string, limit: number) {
  return db
    .selectFrom('signatures')
    .innerJoin('devices', 'devices.id', 'signatures.device_id')
    .select([
      'signatures.id',
      'signatures.drive_id',
      'signatures.seq',
      'devices.name as deviceName',
      'signatures.volunteer',
      'signatures.captured_at',
      'signatures.city',
      'signatures.state',
      'signatures.sealed',
      'signatures.given_name',
      'signatures.family_name',
      'signatures.street',
      'signatures.zip',
      'signatures.email',
      'signatures.autograph',
      'signatures.location',
    ])
    .where('signatures.drive_id', '=', driveId)
    .orderBy('signatures.received_at', 'desc')
    .orderBy('signatures.id', 'desc')
    .limit(limit)
    .execute();
}
