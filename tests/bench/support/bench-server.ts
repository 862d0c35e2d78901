// The real server process (`src/server/main.ts`, as `npm start` runs it) on a throwaway data folder,
// for benchmarks; it needs no built app, only the API. Also: enrolling a device over HTTP, and sealed
// realistic records to send.
import { spawn } from 'node:child_process';
import type BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeAutograph } from '../../../src/shared/autograph-codec';
import { uuidv7 } from '../../../src/shared/ids';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../../src/shared/protocol';
import { withDigest } from '../../../src/shared/record';
import type { SignatureRecord, SignerDetails } from '../../../src/shared/schema';
import { importDrivePublicKey, sealSignerDetails } from '../../../src/shared/signer-seal';
import { autographFixtures } from '../../fixtures/autographs';
import { freePort } from '../../support/server-process';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export interface BenchServer {
  url: string;
  /** CPU time (user + system, ms) the server process has used so far, from /proc (Linux). */
  cpuMs(): number;
  /** What the server printed (its request log included). */
  output(): string;
  dataDir: string;
  enrollmentCode: string;
  stop(): Promise<void>;
}

export async function startBenchServer(): Promise<BenchServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fieldpen-bench-server-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${out}`);
    const code = /enrollment code:\s*([A-Z0-9]{4}-[A-Z0-9]{4})/i.exec(out)?.[1];
    if (code) {
      const up = await fetch(`${url}${API.drive}`).then(
        (r) => r.status,
        () => 0,
      );
      if (up === 401) {
        return {
          url,
          cpuMs: () => processCpuMs(child.pid!),
          output: () => out,
          dataDir,
          enrollmentCode: code,
          stop: () =>
            new Promise<void>((resolve) => {
              child.once('exit', () => {
                rmSync(dataDir, { recursive: true, force: true });
                resolve();
              });
              child.kill('SIGTERM');
            }),
        };
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within 30 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function processCpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/<pid>/stat: user and system time in clock ticks (100 a second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export interface EnrolledDevice {
  deviceId: string;
  token: string;
  driveId: string;
  petitionVersion: string;
  /** The drive's public key the records are sealed to. */
  sealKey: string;
}

export async function enrollOverHttp(url: string, code: string, deviceName = 'Bench tablet'): Promise<EnrolledDevice> {
  const response = await fetch(`${url}${API.enroll}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ protocol: PROTOCOL_VERSION, code, deviceName }),
  });
  if (response.status !== 201) throw new Error(`enrollment failed: ${response.status} ${await response.text()}`);
  const answer = (await response.json()) as EnrollResponse;
  const petition = answer.drive.petitions.find((p) => p.language === 'en')!;
  return { deviceId: answer.deviceId, token: answer.token, driveId: answer.drive.id, petitionVersion: petition.version, sealKey: answer.drive.sealKey };
}

const GIVEN = ['Rosa', 'Ada', 'Malik', 'Mei', 'Tomás', 'Grace', 'Yusuf', 'Hannah', 'Luis', 'Priya'];
const FAMILY = ['Delgado', 'Okafor', 'Johnson', 'Chen', 'García', 'Nguyen', 'Smith', 'Haddad', 'Kowalski', 'Brown'];

/**
 * Records of one device, seq firstSeq…, as a tablet makes them: a realistic signer and one of the
 * fixture autographs, sealed to the drive's key, then digested.
 */
export async function sealedRecords(device: EnrolledDevice, count: number, firstSeq = 1): Promise<SignatureRecord[]> {
  const autographs = autographFixtures().map((a) => encodeAutograph(a));
  const publicKey = await importDrivePublicKey(device.sealKey);
  const start = Date.now() - count * 1000;
  const records: SignatureRecord[] = [];
  for (let seq = firstSeq; seq < firstSeq + count; seq++) {
    const at = start + seq * 1000;
    const id = uuidv7(at);
    const details: SignerDetails = {
      signer: {
        givenName: GIVEN[seq % GIVEN.length]!,
        familyName: FAMILY[(seq * 7) % FAMILY.length]!,
        street: `${100 + (seq % 900)} Maple Street`,
        city: 'Columbus',
        state: 'OH',
        zip: '43215',
        ...(seq % 3 === 0 ? {} : { email: `signer${seq}@example.org` }),
      },
      autograph: autographs[seq % autographs.length]!,
    };
    records.push(
      await withDigest({
        id,
        deviceId: device.deviceId,
        seq,
        driveId: device.driveId,
        petition: { version: device.petitionVersion, language: 'en' },
        volunteer: 'Sam Rivera',
        capturedAt: new Date(at).toISOString(),
        place: { city: details.signer.city, state: details.signer.state },
        sealed: await sealSignerDetails(publicKey, details, { driveId: device.driveId, recordId: id }),
      }),
    );
  }
  return records;
}

/**
 * The raw baseline of the ingest benches: better-sqlite3 prepared inserts of the same rows into the
 * migrated schema, one transaction per call, with nothing the server does around them.
 */
export function rawSignatureInserter(db: BetterSqlite3.Database): (rows: SignatureRecord[]) => void {
  const insert = db.prepare(
    `insert into signatures (id, device_id, seq, drive_id, petition_version, language, volunteer, captured_at, city, state, sealed, digest, received_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  return db.transaction((rows: SignatureRecord[]) => {
    const receivedAt = new Date().toISOString();
    for (const r of rows) {
      insert.run(
        r.id,
        r.deviceId,
        r.seq,
        r.driveId,
        r.petition.version,
        r.petition.language,
        r.volunteer,
        r.capturedAt,
        r.place.city,
        r.place.state,
        r.sealed,
        r.digest,
        receivedAt,
      );
    }
  });
}
