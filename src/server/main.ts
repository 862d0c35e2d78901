// `npm start`: open (and migrate) the database (SQLite in DATA_DIR, or PostgreSQL at DATABASE_URL), seed the demo drive on first run, serve the API and
// the built app, and say how to enroll a tablet.
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServer } from './app';
import { openDatabase } from './db/connect';
import { migrateToLatest } from './db/migrations';
import { currentDemoCode, seedDemoDrive } from './demo';
import { createFirstOrganizer } from './first-organizer';
import { limitsFromEnv } from './overload';
import { ConfigError, publicOriginFrom, trustProxyFrom } from './proxy-config';

const DEFAULT_PORT = 8080;
const DB_FILE = 'fieldpen.sqlite';
/** A rolling restart waits this long for the batches in flight; past it, their transactions roll back whole. */
const SHUTDOWN_GRACE_MS = 30_000;

function fail(message: string): never {
  console.error(`Fieldpen could not start: ${message}`);
  process.exit(1);
}

function portFromEnv(): number {
  const raw = process.env.PORT ?? String(DEFAULT_PORT);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`PORT=${raw} is not a port number`);
  return port;
}

async function main(): Promise<void> {
  const port = portFromEnv();
  let trustProxy, publicOrigin;
  try {
    trustProxy = trustProxyFrom(process.env.TRUST_PROXY);
    publicOrigin = publicOriginFrom(process.env.PUBLIC_URL);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const host = process.env.HOST ?? '0.0.0.0';
  const dataDir = resolve(process.env.DATA_DIR ?? 'data');
  const staticDir = fileURLToPath(new URL('../../dist', import.meta.url));
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) mkdirSync(dataDir, { recursive: true });

  let limits;
  try {
    limits = limitsFromEnv(process.env);
  } catch (e) {
    fail((e as Error).message);
  }
  const poolSize = Number(process.env.DB_POOL_SIZE ?? 10);
  if (!Number.isInteger(poolSize) || poolSize < 1) fail(`DB_POOL_SIZE=${process.env.DB_POOL_SIZE} is not a positive whole number`);
  const database = openDatabase(databaseUrl ? { url: databaseUrl, poolSize } : { file: join(dataDir, DB_FILE) });
  await migrateToLatest(database.db);
  const demo = await seedDemoDrive(database.db);
  const code = demo?.code ?? (await currentDemoCode(database.db));
  const organizer = await createFirstOrganizer(database.db, process.env.ORGANIZER_EMAIL || undefined);

  const deliveries = { dir: join(dataDir, 'deliveries'), connection: database.connection };
  const app = buildServer({ db: database.db, staticDir, logger: true, trustProxy, publicOrigin, limits, poolQueue: database.poolQueue, deliveries });
  try {
    await app.listen({ port, host });
  } catch (e) {
    await database.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      fail(`port ${port} is already in use. Stop the other server or choose another port, e.g. PORT=${port + 1} npm start`);
    throw e;
  }

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: closing Fieldpen…`);
    // A rolling restart: new requests get 503 + Retry-After (the load balancer or the tablet goes
    // elsewhere), live streams end with their retry hint, the batches in flight finish, then exit.
    setTimeout(() => {
      console.error(`Fieldpen: batches still in flight after ${SHUTDOWN_GRACE_MS / 1000} s; exiting (their transactions roll back).`);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.overload.drain();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  console.log('');
  console.log(`Fieldpen is running at http://localhost:${port}${publicOrigin ? ` (public address ${publicOrigin})` : ''}`);
  console.log(`Data: ${database.location}`);
  if (!existsSync(staticDir)) console.log('No built app in dist/ (run `npm run build`): serving the API only.');
  console.log(code ? `Device enrollment code: ${code}` : 'Device enrollment code: none valid (the demo code has expired or is used up).');
  console.log(`Lead and organizer dashboard: ${publicOrigin ?? `http://localhost:${port}`}/lead`);
  if (organizer) {
    console.log(`Organizer account: ${organizer.email}`);
    console.log(`Organizer one-time password: ${organizer.password}  (shown only now: sign in and change it)`);
  }
  if (demo) {
    // The demo drive's signers open only with these; nothing on the server can recover them.
    console.log(`Demo drive passphrase: ${demo.passphrase}  (shown only now: it opens the demo drive's signers)`);
    console.log(`Demo drive recovery key: ${demo.recoveryKey}`);
  }
  console.log('');
}

main().catch((e: unknown) => {
  console.error('Fieldpen could not start:', e);
  process.exit(1);
});
