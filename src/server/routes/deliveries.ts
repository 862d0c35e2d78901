// The Deliver panel's API, organizers only: preview what a delivery would hold and start a build
// (both in a worker thread, never on the request thread), follow its progress, download its packages and the campaign's exclusions report,
// and list past deliveries. Everything that carries signer data is `no-store` and recorded as
// handed over (recordSignerDataRelease). Finished files rest sealed to the drive's key
// (delivery/sealed-file.ts): a download, too, takes the passphrase. A preview and a build open the drive's records: their body
// carries the drive's passphrase (or recovery key) beside the options; the key unlocked with it goes
// to the worker in memory and the passphrase is never stored with the options.
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { DeliveryOptionsSchema, type DeliveryOptions } from '../../shared/delivery';
import { DriveUnlockSchema, type DeliveryStarted, type DriveUnlock } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { DeliveryRunning, findDelivery, listDeliveries } from '../db/deliveries';
import type { Database } from '../db/schema';
import { recordSignerDataRelease } from '../db/signer-data-releases';
import { deliveryFileContext, PreviewFailed, type DeliveryJobs } from '../delivery/job-runner';
import { openSealedFile, SEALED_FILE_SUFFIX, sealedFileSize } from '../delivery/sealed-file';
import { unlockDrive } from '../signer-access';

type Params = { driveId: string; deliveryId: string; file: string };

const noDrive = () => new ApiProblem(404, 'not_found', 'There is no such drive');
const noDelivery = () => new ApiProblem(404, 'not_found', 'This drive has no such delivery');

/** The options (the schema keeps only its own fields, so the passphrase never reaches the stored options) and what unlocks the drive. */
function requestOf(request: FastifyRequest): { options: DeliveryOptions; unlock: DriveUnlock } {
  // Never echo the body: it holds a passphrase.
  const checked = check(DeliveryOptionsSchema, request.body);
  if (!checked.ok) throw invalidRequest(checked.problems, undefined);
  const unlock = check(DriveUnlockSchema, request.body);
  if (!unlock.ok) throw invalidRequest(unlock.problems, undefined);
  return { options: checked.value, unlock: unlock.value };
}

async function driveExists(db: Kysely<Database>, driveId: string): Promise<boolean> {
  return (await db.selectFrom('drives').select('id').where('id', '=', driveId).executeTakeFirst()) !== undefined;
}

/** The size of a finished delivery's file; 404 when this instance does not hold it. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    // On several instances a delivery's files stay on the instance that built it (README).
    throw new ApiProblem(
      404,
      'not_found',
      "This delivery's files are not on this server instance: download it from the instance that built it, or build it again",
    );
  }
}

/** What opens a download: the drive's passphrase or recovery key, and nothing else from the body. */
function unlockOf(request: FastifyRequest): DriveUnlock {
  const unlock = check(DriveUnlockSchema, request.body ?? {});
  if (!unlock.ok) throw invalidRequest(unlock.problems, undefined);
  return unlock.value;
}

/** A finished file as it rests on disk (sealed to the drive); 404 when this instance does not hold it. */
function sealedPathOf(folder: string, file: string): string {
  const path = join(folder, file + SEALED_FILE_SUFFIX);
  sizeOf(path);
  return path;
}

/** A file of a finished delivery, opened as it streams, sent as an attachment nobody caches. */
function sendFile(reply: FastifyReply, content: AsyncGenerator<Buffer>, bytes: number, name: string, type: string): FastifyReply {
  return reply
    .header('cache-control', 'no-store')
    .header('content-type', type)
    .header('content-length', String(bytes))
    .header('content-disposition', `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('x-content-type-options', 'nosniff')
    .send(Readable.from(content));
}

export function deliveryRoutes(
  app: FastifyInstance,
  db: Kysely<Database>,
  requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler,
  jobs: DeliveryJobs,
): void {
  const organizerOfDrive = requireAccount({ role: 'organizer', drive: true });
  const base = '/api/v1/drives/:driveId/deliveries';

  app.post<{ Params: Params }>(`${base}/preview`, { preHandler: organizerOfDrive }, async (request, reply) => {
    // Names of excluded signers: never cached.
    reply.header('cache-control', 'no-store');
    const { options, unlock } = requestOf(request);
    const { driveId } = request.params;
    if (!(await driveExists(db, driveId))) throw noDrive();
    const key = await unlockDrive(db, driveId, unlock, { account: signedIn(request).account, address: request.ip }, 'delivery_preview');
    try {
      const preview = await jobs.preview(driveId, options, key);
      // The preview names the signers it leaves out: a read of signer details, recorded before it leaves.
      const named = Object.values(preview.excluded)
        .flat()
        .filter((e) => e.name !== null).length;
      await recordAudit(db, {
        action: 'signers_read',
        account: signedIn(request).account,
        address: request.ip,
        driveId,
        signers: named,
        detail: { preview: true },
      });
      return preview;
    } catch (e) {
      if (e instanceof PreviewFailed && e.organizerMessage) throw new ApiProblem(404, 'not_found', e.organizerMessage);
      throw e;
    }
  });

  app.post<{ Params: Params }>(base, { preHandler: organizerOfDrive }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { options, unlock } = requestOf(request);
    const { driveId } = request.params;
    if (!(await driveExists(db, driveId))) throw noDrive();
    const { account } = signedIn(request);
    const key = await unlockDrive(db, driveId, unlock, { account, address: request.ip }, 'delivery_build');
    try {
      const id = await jobs.start({ driveId, key, account, options, address: request.ip, userAgent: request.headers['user-agent'] });
      return reply.code(202).send({ id } satisfies DeliveryStarted);
    } catch (e) {
      if (e instanceof DeliveryRunning)
        throw new ApiProblem(409, 'delivery_running', 'A delivery of this drive is being built: wait for it to finish, then build again');
      throw e;
    }
  });

  app.get<{ Params: Params }>(base, { preHandler: organizerOfDrive }, async (request) => {
    if (!(await driveExists(db, request.params.driveId))) throw noDrive();
    return { deliveries: await listDeliveries(db, request.params.driveId) };
  });

  app.get<{ Params: Params }>(`${base}/:deliveryId`, { preHandler: organizerOfDrive }, async (request) => {
    const delivery = await findDelivery(db, request.params.driveId, request.params.deliveryId);
    if (!delivery) throw noDelivery();
    return delivery;
  });

  // Downloads open the sealed file with the drive's key: POST with the passphrase (or recovery key).
  app.post<{ Params: Params }>(`${base}/:deliveryId/packages/:file`, { preHandler: organizerOfDrive }, async (request, reply) => {
    const { driveId, deliveryId, file } = request.params;
    const unlock = unlockOf(request);
    const delivery = await findDelivery(db, driveId, deliveryId);
    if (!delivery) throw noDelivery();
    if (delivery.state !== 'done') throw new ApiProblem(409, 'delivery_not_ready', 'This delivery has no files: it is still building, or it failed');
    // Only a file the build listed: never a path from the request.
    const pkg = delivery.packages.find((p) => p.file === file);
    if (!pkg) throw new ApiProblem(404, 'not_found', 'This delivery has no such package');
    const path = sealedPathOf(jobs.folderOf(deliveryId), pkg.file);
    const account = signedIn(request).account;
    const key = await unlockDrive(db, driveId, unlock, { account, address: request.ip }, 'delivery_download');
    const content = await openSealedFile(path, key, deliveryFileContext(driveId, deliveryId, pkg.file));
    // Recorded before the first byte leaves.
    await recordSignerDataRelease(db, {
      action: 'package_downloaded',
      account,
      driveId,
      deliveryId,
      file: pkg.file,
      signers: pkg.signatures,
      address: request.ip,
      userAgent: request.headers['user-agent'],
    });
    return sendFile(reply, content, sealedFileSize(path), pkg.file, 'application/zip');
  });

  app.post<{ Params: Params }>(`${base}/:deliveryId/report`, { preHandler: organizerOfDrive }, async (request, reply) => {
    const { driveId, deliveryId } = request.params;
    const unlock = unlockOf(request);
    const delivery = await findDelivery(db, driveId, deliveryId);
    if (!delivery) throw noDelivery();
    if (delivery.state !== 'done' || !delivery.reportFile)
      throw new ApiProblem(409, 'delivery_not_ready', 'This delivery has no report: it is still building, or it failed');
    const path = sealedPathOf(jobs.folderOf(deliveryId), delivery.reportFile);
    const account = signedIn(request).account;
    const key = await unlockDrive(db, driveId, unlock, { account, address: request.ip }, 'delivery_download');
    const content = await openSealedFile(path, key, deliveryFileContext(driveId, deliveryId, delivery.reportFile));
    const excluded = delivery.counts?.excluded;
    const signers = excluded ? Object.values(excluded).reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0) : 0;
    await recordSignerDataRelease(db, {
      action: 'report_downloaded',
      account,
      driveId,
      deliveryId,
      file: delivery.reportFile,
      signers,
      address: request.ip,
      userAgent: request.headers['user-agent'],
    });
    return sendFile(reply, content, sealedFileSize(path), delivery.reportFile, 'text/csv; charset=utf-8');
  });
}
