// The server process (what `npm start` runs) killed with SIGKILL in the middle of a delivery build:
// after a restart the delivery is listed as failed, not done, its half-made files are gone and nothing
// of it is served. On SQLite; on PostgreSQL when FIELDPEN_TEST_DATABASE_URL is set.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { DeliveryOptions } from '../../src/shared/delivery';
import { LEAD_API, type DeliveryStarted, type DeliverySummary } from '../../src/shared/lead-api';
import { seedDeliveryDrive } from '../support/synced-drive';
import { batchPoster, enrollOverHttp, printedDemoDrive, printedOrganizer, signInOverHttp } from '../support/lead-http';
import { startServer, type ServerProcess } from '../support/server-process';
import { createTestDatabase, TEST_DATABASE_URL } from './harness';

/** Enough for the build to take a few seconds: it is killed after its first pages. */
const SIGNERS = 1500;
const OPTIONS: DeliveryOptions = { fields: { street: true, email: false }, perState: false };

const dataDir = mkdtempSync(join(tmpdir(), 'fieldpen-delivery-kill-'));
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

it('a server killed mid-build lists no delivery as done and serves no partial file after it restarts', async () => {
  const env: Record<string, string> = {};
  if (TEST_DATABASE_URL) {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    env.DATABASE_URL = database.url;
  }
  let server: ServerProcess = await startServer(dataDir, undefined, env);
  cleanups.push(() => server.stop('SIGKILL'));
  const { email, password } = printedOrganizer(server.output());
  const { passphrase } = printedDemoDrive(server.output());
  const a = await enrollOverHttp(server.url, server.enrollmentCode, 'Tablet A');
  const b = await enrollOverHttp(server.url, server.enrollmentCode, 'Tablet B');
  await seedDeliveryDrive(batchPoster(server.url), a, b, SIGNERS);
  const driveId = a.drive.id;

  let organizer = await signInOverHttp(server.url, email, password);
  const started = await organizer.request('POST', LEAD_API.deliveries(driveId), { ...OPTIONS, passphrase });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as DeliveryStarted;

  // Halfway: pages written, the build still running.
  let seen: DeliverySummary | undefined;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    seen = (await (await organizer.request('GET', LEAD_API.delivery(driveId, id))).json()) as DeliverySummary;
    if (seen.state !== 'building' || seen.progress.pagesDone > 0) break;
  }
  expect(seen?.state).toBe('building');
  expect(seen!.progress.pagesDone).toBeGreaterThan(0);
  expect(seen!.progress.pagesDone).toBeLessThan(seen!.progress.pagesTotal);
  const deliveries = join(dataDir, 'deliveries');
  expect(readdirSync(deliveries)).toEqual([`.building-${id}`]);
  await server.stop('SIGKILL');

  server = await startServer(dataDir, undefined, env);
  organizer = await signInOverHttp(server.url, email, password);
  const after = (await (await organizer.request('GET', LEAD_API.delivery(driveId, id))).json()) as DeliverySummary;
  expect(after.state).toBe('failed');
  expect(after.packages).toEqual([]);
  const { deliveries: listed } = (await (await organizer.request('GET', LEAD_API.deliveries(driveId))).json()) as { deliveries: DeliverySummary[] };
  expect(listed.filter((d) => d.state === 'done')).toEqual([]);
  expect(existsSync(deliveries) ? readdirSync(deliveries) : []).toEqual([]);
  expect((await organizer.request('POST', LEAD_API.deliveryReport(driveId, id), { passphrase })).status).toBe(409);
  // And the drive can be delivered again.
  expect((await organizer.request('POST', LEAD_API.deliveries(driveId), { ...OPTIONS, passphrase })).status).toBe(202);
}, 120_000);
