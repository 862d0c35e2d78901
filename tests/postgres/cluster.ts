// A throwaway PostgreSQL 15 cluster in a temp folder on a free port: for `npm run test:postgres` and
// the dashboard benchmark. Installs Debian's postgresql when the binaries are missing. As root the
// server runs as the `postgres` user (initdb refuses root).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/server-process';

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  /** postgres://postgres@127.0.0.1:<port>/postgres: the maintenance database, to create others from. */
  url: string;
  port: number;
  stop(): void;
}

function ensureInstalled(): void {
  if (existsSync(join(PG_BIN, 'initdb'))) return;
  console.log(`No PostgreSQL in ${PG_BIN}: installing Debian's postgresql with apt-get…`);
  execFileSync('apt-get', ['update'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', 'postgresql'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

const isRoot = () => process.getuid?.() === 0;

/** Run a PostgreSQL binary, as the postgres user when we are root. */
function pgCommand(binary: string, args: string[]): void {
  const command = join(PG_BIN, binary);
  if (!isRoot()) {
    execFileSync(command, args, { stdio: 'pipe' });
    return;
  }
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', quoted], { stdio: 'pipe' });
}

export async function startCluster(): Promise<Cluster> {
  ensureInstalled();
  const root = mkdtempSync(join(tmpdir(), 'fieldpen-pg-'));
  if (isRoot()) execFileSync('chown', ['postgres:postgres', root]);
  chmodSync(root, 0o700);
  const data = join(root, 'data');
  const port = await freePort();
  let started = false;
  const stop = () => {
    try {
      if (started) pgCommand('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    } catch (e) {
      console.error('stopping PostgreSQL failed:', (e as Error).message);
    } finally {
      started = false;
      rmSync(root, { recursive: true, force: true });
    }
  };
  try {
    pgCommand('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8']);
    // fsync off: a test cluster is thrown away, durability buys nothing here.
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    started = true;
    pgCommand('pg_ctl', ['-D', data, '-l', join(root, 'log'), '-w', '-t', '30', '-o', options, 'start']);
  } catch (e) {
    stop();
    throw e;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, stop };
}
