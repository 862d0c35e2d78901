// What a lead does for their drive: enrollment codes (text and QR), naming and revoking devices, the
// volunteer roster, the dashboard and the live stream of changes (signer details: routes/signers.ts).
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import QRCode from 'qrcode';
import { DeviceEditSchema, NewCodeSchema, RosterSchema, SESSION_COOKIE, type EnrollmentCodeInfo } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { requestOrigin, sessionAllowsDrive, signedIn, type AccessRule } from '../account-auth';
import { apiError, ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { dashboardOf } from '../db/dashboard';
import { renameDevice, revokeDevice } from '../db/devices';
import { createEnrollmentCode, usableCodes } from '../db/enrollment-codes';
import { rosterOf, setRoster } from '../db/roster';
import type { Database } from '../db/schema';
import type { LiveUpdates } from '../live-updates';

type Params = { driveId: string; deviceId: string };

const HOUR_MS = 3_600_000;
/** Another instance may have taken the sync: look for changes this often on every stream. */
const POLL_MS = 5_000;
const HEARTBEAT_MS = 20_000;

const ACCESS_ENDED = apiError('unauthorized', 'Your session has ended or you no longer lead this drive: sign in again.');
const STREAM_FAILED = apiError('internal', 'The dashboard could not be read. The page tries again by itself; if it keeps happening, tell your organizer.');

const noDrive = () => new ApiProblem(404, 'not_found', 'There is no such drive');

/** What the QR code opens on a tablet: the app at the operator's PUBLIC_URL (or where this request reached us), with the code. */
function enrollUrl(request: FastifyRequest, code: string): string {
  const origin = request.server.publicOrigin ?? requestOrigin(request) ?? 'http://localhost';
  return `${origin}/#enroll=${encodeURIComponent(code)}`;
}

async function withQr(request: FastifyRequest, code: { code: string; usesLeft: number; expiresAt: string }): Promise<EnrollmentCodeInfo> {
  return { ...code, qrSvg: await QRCode.toString(enrollUrl(request, code.code), { type: 'svg', margin: 2, errorCorrectionLevel: 'M' }) };
}

export function leadRoutes(
  app: FastifyInstance,
  db: Kysely<Database>,
  requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler,
  live: LiveUpdates,
  /** How often each stream checks its session and looks for changes another instance filed. */
  pollMs = POLL_MS,
): void {
  const ofDrive = requireAccount({ drive: true });
  // Open event streams never finish by themselves: end them when the server closes, or it waits forever.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });

  app.get<{ Params: Params }>('/api/v1/drives/:driveId/codes', { preHandler: ofDrive }, async (request) => {
    const codes = await usableCodes(db, request.params.driveId);
    return { codes: await Promise.all(codes.map((c) => withQr(request, c))) };
  });

  app.post<{ Params: Params }>('/api/v1/drives/:driveId/codes', { preHandler: ofDrive }, async (request, reply) => {
    const checked = check(NewCodeSchema, request.body ?? {});
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const { driveId } = request.params;
    if (!(await dashboardExists(db, driveId))) throw noDrive();
    const expiresAt = new Date(Date.now() + checked.value.hours * HOUR_MS);
    const code = await createEnrollmentCode(db, { driveId, uses: checked.value.uses, expiresAt });
    return reply.code(201).send(await withQr(request, { code, usesLeft: checked.value.uses, expiresAt: expiresAt.toISOString() }));
  });

  app.patch<{ Params: Params }>('/api/v1/drives/:driveId/devices/:deviceId', { preHandler: ofDrive }, async (request, reply) => {
    const checked = check(DeviceEditSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    if (!(await renameDevice(db, request.params.driveId, request.params.deviceId, checked.value.name)))
      throw new ApiProblem(404, 'not_found', 'This drive has no such device');
    live.notify(request.params.driveId);
    return reply.code(204).send();
  });

  app.post<{ Params: Params }>('/api/v1/drives/:driveId/devices/:deviceId/revoke', { preHandler: ofDrive }, async (request, reply) => {
    const { driveId, deviceId } = request.params;
    if (!(await revokeDevice(db, driveId, deviceId))) throw new ApiProblem(404, 'not_found', 'This drive has no such device');
    await recordAudit(db, { action: 'device_revoked', account: signedIn(request).account, address: request.ip, driveId, detail: { deviceId } });
    live.notify(driveId);
    return reply.code(204).send();
  });

  app.get<{ Params: Params }>('/api/v1/drives/:driveId/roster', { preHandler: ofDrive }, async (request) => ({
    volunteers: await rosterOf(db, request.params.driveId),
  }));

  app.put<{ Params: Params }>('/api/v1/drives/:driveId/roster', { preHandler: ofDrive }, async (request) => {
    const checked = check(RosterSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    if (!(await dashboardExists(db, request.params.driveId))) throw noDrive();
    return { volunteers: await setRoster(db, request.params.driveId, checked.value.volunteers) };
  });

  app.get<{ Params: Params }>('/api/v1/drives/:driveId/dashboard', { preHandler: ofDrive }, async (request) => {
    const dashboard = await dashboardOf(db, request.params.driveId);
    if (!dashboard) throw noDrive();
    return dashboard;
  });

  app.get<{ Params: Params }>('/api/v1/drives/:driveId/events', { preHandler: ofDrive }, async (request, reply) => {
    const { driveId } = request.params;
    if (!(await dashboardExists(db, driveId))) throw noDrive();
    const session = request.cookies[SESSION_COOKIE] ?? '';
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    let closed = false;
    let pending: NodeJS.Timeout | undefined;
    let fingerprint = '';
    let first = true;
    /**
     * Nothing goes out on a stream whose session has ended (signed out, or the password changed
     * elsewhere) or whose account no longer leads the drive: it says why and ends. The browser's
     * reconnection then meets the sign-in check.
     */
    const mayStillSend = async (): Promise<boolean> => {
      if (await sessionAllowsDrive(db, session, driveId)) return !closed;
      if (!closed) out.write(`event: error\ndata: ${JSON.stringify(ACCESS_ENDED)}\n\n`);
      end();
      return false;
    };
    const send = async () => {
      pending = undefined;
      if (closed) return;
      const opening = first;
      first = false;
      try {
        if (!(await mayStillSend())) return;
        // Worked out once per change of the drive, whatever the number of streams watching it.
        const latest = await live.latest(driveId, async () => {
          const fingerprint = await driveFingerprint(db, driveId);
          const dashboard = await dashboardOf(db, driveId);
          return { fingerprint, event: dashboard && `event: dashboard\ndata: ${JSON.stringify(dashboard)}\n\n` };
        });
        fingerprint = latest.fingerprint;
        if (!closed && latest.event) out.write(latest.event);
      } catch (e) {
        request.log.error({ err: e }, 'dashboard update failed');
        // A stream that cannot give its first figures would stay open with nothing to show: say so and
        // end it (the browser's EventSource tries again after `retry`). A later failure waits for the next change.
        if (opening) {
          if (!closed) out.write(`event: error\ndata: ${JSON.stringify(STREAM_FAILED)}\n\n`);
          end();
        }
      }
    };
    // Several syncs in a burst make one update.
    const schedule = () => (pending ??= setTimeout(() => void send(), 200));
    const unsubscribe = live.subscribe(driveId, schedule);
    // Every poll also checks the session: a lead signed out on another instance loses the stream too.
    const poll = setInterval(() => {
      void mayStillSend()
        .then(async (allowed) => allowed && (await driveFingerprint(db, driveId)) !== fingerprint && live.notify(driveId))
        .catch(() => {});
    }, pollMs);
    const heartbeat = setInterval(() => {
      void mayStillSend()
        .then((allowed) => allowed && out.write(': still here\n\n'))
        .catch(() => {});
    }, HEARTBEAT_MS);
    out.write(`retry: 3000\n\n`);
    const end = () => {
      if (closed) return;
      closed = true;
      streams.delete(end);
      unsubscribe();
      clearInterval(poll);
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      out.end();
    };
    streams.add(end);
    request.raw.on('close', end);
    void send();
  });
}

async function dashboardExists(db: Kysely<Database>, driveId: string): Promise<boolean> {
  return (await db.selectFrom('drives').select('id').where('id', '=', driveId).executeTakeFirst()) !== undefined;
}

/** Changes whenever a device of the drive syncs, enrolls, is renamed or revoked. */
async function driveFingerprint(db: Kysely<Database>, driveId: string): Promise<string> {
  const row = await db
    .selectFrom('devices')
    .select((eb) => [eb.fn.max('last_sync_at').as('synced'), eb.fn.countAll().as('n'), eb.fn.max('revoked_at').as('revoked'), eb.fn.max('name').as('names')])
    .where('drive_id', '=', driveId)
    .executeTakeFirstOrThrow();
  return JSON.stringify(row);
}
