// A copy of the server's disk betrays no signer: after a drive of signatures, the database file and
// its write-ahead log (or a pg_dump of PostgreSQL), everything else in the data folder, and the
// server's log hold no signer's name, street, email or autograph — only the sealed payloads and the
// clear fields the figures need. The real server process (what `npm start` runs), real tablets' records.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API, PROTOCOL_VERSION, type BatchResponse, type EnrollResponse } from '../../src/shared/protocol';
import type { SignerDetails } from '../../src/shared/schema';
import { PG_BIN } from '../postgres/cluster';
import { sampleAutograph, signatureRecord } from '../support/records';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { printedDemoDrive, printedOrganizer, signInOverHttp } from '../support/lead-http';
import { startServer, type ServerProcess } from '../support/server-process';
import { readZip } from '../support/delivery-reader';
import { LEAD_API, type DeliveryStarted, type DeliverySummary } from '../../src/shared/lead-api';
import { createTestDatabase, TEST_DATABASE_URL } from './harness';

/** Signers whose every value is distinctive, so a stray copy anywhere is found. */
const SIGNERS: SignerDetails['signer'][] = [
  {
    givenName: 'Zoë',
    familyName: 'Ñúñez-Åberg',
    street: '4417 Quillfeather Lane',
    city: 'Springfield',
    state: 'IL',
    zip: '62701',
    email: 'zoe.nunez@quillmail.example',
  },
  { givenName: '小明', familyName: '王', street: '88 Jadegate Terrace', city: 'Springfield', state: 'IL', zip: '62702', email: 'wang.xm@jadegate.example' },
  {
    givenName: 'Jean-Luc',
    familyName: "O'Brannigan",
    street: '902 Marrowbone Crescent',
    city: 'Peoria',
    state: 'IL',
    zip: '61602',
    email: 'jlob@marrowbone.example',
  },
  { givenName: 'Oluwaseun', familyName: 'Adéyẹmí', street: '15 Cobblewick Row', city: 'Peoria', state: 'IL', zip: '61603' },
];
const VOLUNTEER = 'Rosa Delgado';

let dataDir: string;
let server: ServerProcess;
let dropDatabase: (() => Promise<void>) | undefined;
let databaseUrl: string | undefined;
const autographs: string[] = [];
/** The delivery package as downloaded: the proof that the scans look for what a package holds. */
let downloaded: Buffer;

async function post<T>(path: string, body: unknown, token?: string): Promise<{ status: number; json: T }> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as T };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'fieldpen-copied-'));
  if (TEST_DATABASE_URL) {
    const created = await createTestDatabase();
    databaseUrl = created.url;
    dropDatabase = created.drop;
  }
  server = await startServer(dataDir, undefined, databaseUrl ? { DATABASE_URL: databaseUrl } : {});
  const enrolled = await post<EnrollResponse>(API.enroll, { protocol: PROTOCOL_VERSION, code: server.enrollmentCode, deviceName: 'Tablet 1' });
  expect(enrolled.status).toBe(201);
  const device = enrolled.json;
  const records = await Promise.all(
    SIGNERS.map((signer, i) =>
      signatureRecord(
        device,
        i + 1,
        (c) => {
          c.volunteer = VOLUNTEER;
        },
        (d) => {
          d.signer = signer;
          d.autograph = encodeAutograph(sampleAutograph(100 + i));
          d.location = { latitude: 40.1 + i / 1000, longitude: -89.2, accuracy: 9 };
          autographs.push(d.autograph);
        },
      ),
    ),
  );
  // Stored, delivered again (duplicates), one sent again with other content (a conflict kept as received).
  const batch = { protocol: PROTOCOL_VERSION, records, totals: { capturedThrough: SIGNERS.length, waiting: 0, appVersion: 'test' } };
  expect((await post<BatchResponse>(API.batches, batch, device.token)).status).toBe(200);
  expect((await post<BatchResponse>(API.batches, batch, device.token)).json.results.every((r) => r.status === 'duplicate')).toBe(true);
  const altered = await signatureRecord(
    device,
    1,
    (c) => (c.id = records[0]!.id),
    (d) => (d.signer = { ...SIGNERS[0]!, street: SIGNERS[1]!.street }),
  );
  const conflict = await post<BatchResponse>(API.batches, { ...batch, records: [altered] }, device.token);
  expect(conflict.json.results[0]!.status).toBe('conflict');

  // The organizer opens the signers: Latest signers, a delivery built and downloaded. What was
  // opened in memory for them must leave nothing readable behind on disk or in the log.
  const { email, password } = printedOrganizer(server.output());
  const { passphrase } = printedDemoDrive(server.output());
  const organizer = await signInOverHttp(server.url, email, password);
  const latest = await organizer.request('POST', LEAD_API.signatures(device.drive.id), { passphrase, limit: 50 });
  expect(latest.status).toBe(200);
  expect(JSON.stringify(await latest.json())).toContain(SIGNERS[2]!.familyName);
  const started = await organizer.request('POST', LEAD_API.deliveries(device.drive.id), { fields: { street: true, email: true }, perState: false, passphrase });
  expect(started.status).toBe(202);
  const { id } = (await started.json()) as DeliveryStarted;
  let delivery: DeliverySummary;
  for (;;) {
    delivery = (await (await organizer.request('GET', LEAD_API.delivery(device.drive.id, id))).json()) as DeliverySummary;
    if (delivery.state !== 'building') break;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(delivery.state).toBe('done');
  const zip = await organizer.request('POST', LEAD_API.deliveryPackage(device.drive.id, id, delivery.packages[0]!.file), { passphrase });
  expect(zip.status).toBe(200);
  downloaded = Buffer.from(await zip.arrayBuffer());
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await dropDatabase?.();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Every signer value, and a slice of every autograph's encoding, as the strings to look for. */
function signerStrings(): string[] {
  // A one-character name (王) is two bytes in UTF-16: random ciphertext holds it by chance every
  // few tens of kilobytes. It is looked for with the given name, in both orders, as a name is written.
  const name = (s: (typeof SIGNERS)[number]) =>
    [...s.familyName].length > 1 ? [s.givenName, s.familyName] : [s.givenName, `${s.familyName}${s.givenName}`, `${s.givenName} ${s.familyName}`];
  const values = SIGNERS.flatMap((s) => [...name(s), s.street, ...(s.email ? [s.email] : [])]);
  return [...values, ...autographs.map((a) => a.slice(40, 72))];
}

/** Which of `needles` the bytes hold, as UTF-8, UTF-16LE or JSON's \u escapes. */
function found(bytes: Buffer, needles: readonly string[]): string[] {
  const escaped = (s: string) =>
    JSON.stringify(s)
      .slice(1, -1)
      .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return needles.filter(
    (n) => bytes.includes(Buffer.from(n, 'utf8')) || bytes.includes(Buffer.from(n, 'utf16le')) || bytes.includes(Buffer.from(escaped(n), 'utf8')),
  );
}

/** A file's bytes, and for a ZIP its entries inflated too (a package's CSV is deflated inside it). */
async function readableContent(file: string): Promise<Buffer> {
  const bytes = readFileSync(file);
  if (!bytes.subarray(0, 4).equals(Buffer.from('PK\u0003\u0004', 'latin1'))) return bytes;
  return Buffer.concat([bytes, ...(await readZip(file)).values()]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('a copy of the server', () => {
  it('served the signers to the organizer who unlocked: the package holds them (what a clear copy on disk would show)', async () => {
    // Outside the data folder: the scans below read every file in it.
    const elsewhere = mkdtempSync(join(tmpdir(), 'fieldpen-downloaded-'));
    writeFileSync(join(elsewhere, 'package.zip'), downloaded);
    const entries = await readZip(join(elsewhere, 'package.zip'));
    rmSync(elsewhere, { recursive: true, force: true });
    const csv = [...entries].find(([name]) => name.endsWith('data/signatures.csv'))![1].toString('utf8');
    for (const s of SIGNERS) expect(csv).toContain(s.street);
  });

  it('its data folder (the SQLite file and its write-ahead log while running, the delivery kept for download) holds no signer, but does hold the clear fields', async () => {
    const files = filesUnder(dataDir);
    if (!databaseUrl) expect(files.map((f) => f.slice(dataDir.length))).toEqual(expect.arrayContaining([expect.stringMatching(/\.sqlite-wal$/)]));
    expect(files.filter((f) => f.endsWith('.zip.sealed'))).toHaveLength(1);
    const all = Buffer.concat(await Promise.all(files.map(readableContent)));
    expect(found(all, signerStrings())).toEqual([]);
    // The search finds what is there in clear by design: it would find a signer if one were there.
    if (!databaseUrl) expect(found(all, ['Peoria', VOLUNTEER])).toEqual(['Peoria', VOLUNTEER]);
  });

  it.runIf(TEST_DATABASE_URL)('a pg_dump of its PostgreSQL database holds no signer', () => {
    const dump = execFileSync(join(PG_BIN, 'pg_dump'), ['--dbname', databaseUrl!], { maxBuffer: 256 * 1024 * 1024 });
    expect(found(dump, signerStrings())).toEqual([]);
    expect(found(dump, ['Peoria', VOLUNTEER])).toEqual(['Peoria', VOLUNTEER]);
  });

  it("its log holds no signer, nor the drive's passphrase after the first start", async () => {
    const log = Buffer.from(server.output(), 'utf8');
    expect(found(log, signerStrings())).toEqual([]);
    // Another start of the same data folder prints no passphrase and no recovery key again.
    const passphrase = /Demo drive passphrase: (\S+)/.exec(server.output())?.[1];
    expect(passphrase).toBeTruthy();
    await server.stop();
    server = await startServer(dataDir, undefined, databaseUrl ? { DATABASE_URL: databaseUrl } : {});
    expect(server.output()).not.toContain(passphrase!);
    expect(server.output()).not.toMatch(/recovery key/i);
  });

  it('after a clean stop, the database file alone still holds no signer', async () => {
    await server.stop();
    const all = Buffer.concat(await Promise.all(filesUnder(dataDir).map(readableContent)));
    expect(found(all, signerStrings())).toEqual([]);
  });
});
