// Bad input gets a clear answer and changes nothing: thousands of generated bad requests across
// every endpoint — broken envelopes, wrong types, non-finite numbers, control characters, odd
// cookies, headers and addresses — must each get a 4xx that names the problem (never a 5xx), and
// a refused request must leave every table as it was.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_PATH } from '../../src/shared/audit';
import { CSRF_HEADER, LEAD_API, SESSION_COOKIE } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';
import { accountSession, createTestDrive, enroll, postBatch, signatureRecord, startServer, totals, type Harness, type Session } from './harness';

const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

let server: Harness;
let device: EnrollResponse;
let driveId: string;
let code: string;
let organizer: Session;
/** A valid record with every optional part, the fuzzer's template for a record inside a batch. */
let withLocation: Awaited<ReturnType<typeof signatureRecord>>;
let lead: Session;

beforeAll(async () => {
  server = await startServer();
  const made = await createTestDrive(server.db);
  driveId = made.drive.id;
  code = made.code;
  device = await enroll(server.app, code, 'Tablet 1');
  expect((await postBatch(server.app, device.token, [await signatureRecord(device, 1)], totals(1))).statusCode).toBe(200);
  withLocation = await signatureRecord(
    device,
    2,
    (content) => {
      content.assisted = { attestedBy: 'Rosa Delgado' };
    },
    (details) => {
      details.signer.email = 'ada@example.org';
      details.location = { latitude: 39.96, longitude: -83, accuracy: 12 };
    },
  );
  organizer = await accountSession(server, 'organizer');
  lead = await accountSession(server, 'lead', [driveId]);
});
afterAll(() => server.stop());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Auth = 'device' | 'organizer' | 'lead' | 'none';
interface Endpoint {
  method: Method;
  url: () => string;
  auth: Auth;
  /** A body the endpoint accepts; the fuzzer breaks it. */
  body?: () => unknown;
}

const ENDPOINTS: Endpoint[] = [
  {
    method: 'POST',
    url: () => API.enroll,
    auth: 'none',
    body: () => ({
      protocol: PROTOCOL_VERSION,
      code: 'ZZZZ-ZZZZ',
      deviceName: 'Tablet 9',
      device: { appVersion: '0.1.0', storage: { usage: 1, quota: 2, persisted: true } },
    }),
  },
  { method: 'POST', url: () => API.batches, auth: 'device', body: () => ({ protocol: PROTOCOL_VERSION, records: [], totals: totals(1) }) },
  {
    method: 'POST',
    url: () => API.batches,
    auth: 'device',
    body: () => ({
      protocol: PROTOCOL_VERSION,
      records: [withLocation],
      voids: [{ id: withLocation.id, seq: 1, reason: 'Signed twice', voidedAt: new Date().toISOString() }],
      totals: totals(2),
    }),
  },
  { method: 'GET', url: () => API.drive, auth: 'device' },
  { method: 'POST', url: () => LEAD_API.session, auth: 'none', body: () => ({ email: 'nobody@example.org', password: 'not the password' }) },
  { method: 'GET', url: () => LEAD_API.session, auth: 'lead' },
  { method: 'POST', url: () => LEAD_API.password, auth: 'lead', body: () => ({ currentPassword: 'not the password', newPassword: 'a new long passphrase' }) },
  { method: 'GET', url: () => LEAD_API.drives, auth: 'lead' },
  {
    method: 'POST',
    url: () => LEAD_API.drives,
    auth: 'organizer',
    body: () => ({ title: 'x', goal: 0, passphrase: 'a long enough passphrase', petitions: [] }),
  },
  { method: 'GET', url: () => LEAD_API.drive(driveId), auth: 'lead' },
  { method: 'PATCH', url: () => LEAD_API.drive(driveId), auth: 'organizer', body: () => ({ goal: -1 }) },
  { method: 'GET', url: () => LEAD_API.accounts, auth: 'organizer' },
  { method: 'POST', url: () => LEAD_API.accounts, auth: 'organizer', body: () => ({ email: 'not an email', name: '' }) },
  { method: 'PUT', url: () => LEAD_API.driveLead(driveId, 'no-such-account'), auth: 'organizer' },
  { method: 'GET', url: () => LEAD_API.codes(driveId), auth: 'lead' },
  { method: 'POST', url: () => LEAD_API.codes(driveId), auth: 'lead', body: () => ({ uses: 0, hours: 0 }) },
  { method: 'PATCH', url: () => LEAD_API.device(driveId, device.deviceId), auth: 'lead', body: () => ({ name: '' }) },
  { method: 'POST', url: () => LEAD_API.revokeDevice(driveId, 'no-such-device'), auth: 'lead' },
  { method: 'GET', url: () => LEAD_API.roster(driveId), auth: 'lead' },
  { method: 'PUT', url: () => LEAD_API.roster(driveId), auth: 'lead', body: () => ({ volunteers: 'not a list' }) },
  { method: 'GET', url: () => LEAD_API.dashboard(driveId), auth: 'lead' },
  { method: 'POST', url: () => LEAD_API.signatures(driveId), auth: 'organizer', body: () => ({ passphrase: 'not the drive passphrase', limit: 10 }) },
  { method: 'GET', url: () => LEAD_API.driveKey(driveId), auth: 'organizer' },
  { method: 'POST', url: () => LEAD_API.driveKey(driveId), auth: 'organizer', body: () => ({ newPassphrase: 'short' }) },
  {
    method: 'POST',
    url: () => LEAD_API.drivePassphrase(driveId),
    auth: 'organizer',
    body: () => ({ recoveryKey: '0000-0000', newPassphrase: 'a new long drive passphrase' }),
  },
  {
    method: 'POST',
    url: () => LEAD_API.deliveryPreview(driveId),
    auth: 'organizer',
    body: () => ({ fields: { street: false, email: false }, perState: false, passphrase: 'not the drive passphrase' }),
  },
  {
    method: 'POST',
    url: () => LEAD_API.deliveries(driveId),
    auth: 'organizer',
    body: () => ({ fields: { street: true, email: false }, perState: true, passphrase: 'not the drive passphrase' }),
  },
  {
    method: 'POST',
    url: () => LEAD_API.deliveryPackage(driveId, 'no-such-delivery', 'x.zip'),
    auth: 'organizer',
    body: () => ({ passphrase: 'not the drive passphrase' }),
  },
  { method: 'POST', url: () => LEAD_API.deliveryReport(driveId, 'no-such-delivery'), auth: 'organizer', body: () => ({ recoveryKey: '0000-1111' }) },
  { method: 'GET', url: () => `${AUDIT_PATH}?limit=0`, auth: 'organizer' },
];

/** Values that have broken servers: wrong types, extremes, control and direction characters, paths. */
const nasty = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1.5,
    2 ** 53,
    -(2 ** 63),
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\u001b[31m',
    '../../etc/passwd',
    '%',
    '%zz',
    '__proto__',
    [],
    {},
    [null],
    { __proto__: null },
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant('x'.repeat(5000)),
);
/** Numbers JSON.stringify cannot write: spliced into the raw text. */
const RAW_NUMBERS = ['1e309', '-1e309', '1e-400', '123456789012345678901234567890', '-0'];

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const own = Object.keys(value as object).flatMap((key) => paths((value as Record<string, unknown>)[key], [...prefix, key]));
  return [prefix, ...own];
}

function setAt(value: unknown, path: string[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const copy: Record<string, unknown> = Array.isArray(value) ? ([...value] as unknown as Record<string, unknown>) : { ...(value as Record<string, unknown>) };
  copy[path[0]!] = setAt(copy[path[0]!], path.slice(1), replacement);
  return copy;
}

type Payload = { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; contentType: string } | { kind: 'none' };
interface Attempt {
  endpoint: number;
  payload: Payload;
  auth: Auth | 'garbage';
  garbage: string;
  urlSuffix: string;
}

/** Built once the server is up: the endpoints' valid bodies hold the enrolled device's records. */
function attempts(): fc.Arbitrary<Attempt> {
  return fc
    .record({
      // Bodies with more fields get more tries: each field is a door.
      endpoint: fc.constantFrom(...ENDPOINTS.flatMap((e, i) => Array<number>(Math.max(1, Math.ceil(paths(e.body?.()).length / 2))).fill(i))),
      pick: fc.nat(),
      strategy: fc.constantFrom('replace', 'replace', 'replace', 'raw-number', 'any-json', 'garbage-text', 'wrong-type', 'drop'),
      replacement: nasty,
      rawNumber: fc.constantFrom(...RAW_NUMBERS),
      text: fc.string({ maxLength: 200 }),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', ''),
      auth: fc.constantFrom<Auth | 'garbage' | 'keep'>('keep', 'keep', 'keep', 'none', 'garbage', 'device', 'lead', 'organizer'),
      garbage: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom('%', '%E0%A4%A', 'a=b; c', `${SESSION_COOKIE}=%`, `${SESSION_COOKIE}=${'A'.repeat(5000)}`),
      ),
      urlSuffix: fc.constantFrom('', '', '', '', '', '?x=%', '/%', '/..', '/%2e%2e', '?limit=-1', '#frag', '?a[b]=c', '%00', '/%00', '%07'),
    })
    .map(({ endpoint, pick, strategy, replacement, rawNumber, text, contentType, auth, garbage, urlSuffix }) => {
      const e = ENDPOINTS[endpoint]!;
      const valid = e.body?.();
      let payload: Payload;
      if (strategy === 'any-json') payload = { kind: 'json', value: replacement };
      else if (strategy === 'garbage-text') payload = { kind: 'raw', text, contentType };
      else if (valid === undefined) payload = e.method === 'GET' ? { kind: 'none' } : { kind: 'json', value: replacement };
      else {
        const all = paths(valid);
        const path = all[pick % all.length]!;
        if (strategy === 'raw-number') {
          const marked = JSON.stringify(setAt(valid, path, '@@NUMBER@@'));
          payload = { kind: 'raw', text: marked.replace('"@@NUMBER@@"', rawNumber), contentType: 'application/json' };
        } else if (strategy === 'drop' && path.length > 0) {
          const parent = path.slice(0, -1);
          const holder = parent.reduce<unknown>((v, k) => (v as Record<string, unknown>)[k], valid);
          const copy = Array.isArray(holder)
            ? holder.filter((_, i) => String(i) !== path.at(-1))
            : Object.fromEntries(Object.entries(holder as object).filter(([k]) => k !== path.at(-1)));
          payload = { kind: 'json', value: setAt(valid, parent, copy) };
        } else if (strategy === 'wrong-type') payload = { kind: 'json', value: setAt(valid, path, typeof replacement === 'string' ? 12 : 'twelve') };
        else payload = { kind: 'json', value: setAt(valid, path, replacement) };
      }
      return { endpoint, payload, auth: auth === 'keep' ? e.auth : auth, garbage, urlSuffix };
    });
}

function send(a: Attempt): Promise<LightMyRequestResponse> {
  const e = ENDPOINTS[a.endpoint]!;
  const headers: Record<string, string> = {};
  if (a.auth === 'device') headers.authorization = `Bearer ${device.token}`;
  if (a.auth === 'organizer' || a.auth === 'lead') {
    const session = a.auth === 'organizer' ? organizer : lead;
    headers.cookie = session.cookie;
    headers[CSRF_HEADER] = session.csrf;
  }
  if (a.auth === 'garbage') {
    headers.cookie = a.garbage;
    headers.authorization = `Bearer ${a.garbage}`;
  }
  let payload: string | undefined;
  if (a.payload.kind === 'json') {
    payload = JSON.stringify(a.payload.value) ?? 'null';
    headers['content-type'] = 'application/json';
  } else if (a.payload.kind === 'raw') {
    payload = a.payload.text;
    if (a.payload.contentType) headers['content-type'] = a.payload.contentType;
  }
  return server.app.inject({ method: e.method, url: e.url() + a.urlSuffix, headers, ...(payload !== undefined && { payload }) });
}

/** Everything a refused request must not change (the failed-attempt counts of the rate limits may). */
async function snapshot(): Promise<string> {
  const counted = [
    'signatures',
    'conflicts',
    'rejections',
    'devices',
    'drives',
    'petition_versions',
    'enrollment_codes',
    'accounts',
    'drive_leads',
    'sessions',
    'roster',
    'signature_tallies',
  ] as const;
  const counts = await sql<
    Record<string, number>
  >`select ${sql.join(counted.map((t) => sql`(select count(*) from ${sql.table(t)}) as ${sql.ref(t)}`))}`.execute(server.db);
  const devices = await server.db
    .selectFrom('devices')
    .select([
      'id',
      'name',
      'revoked_at',
      'captured_through',
      'waiting',
      'app_version',
      'storage_usage',
      'storage_quota',
      'storage_persisted',
      'received',
      'receipt_xor',
    ])
    .orderBy('id')
    .execute();
  const drives = await server.db.selectFrom('drives').selectAll().orderBy('id').execute();
  const accounts = await server.db.selectFrom('accounts').select(['id', 'password_hash', 'disabled_at']).orderBy('id').execute();
  return JSON.stringify([counts.rows[0], devices, drives, accounts]);
}

describe(`${RUNS} generated bad requests`, () => {
  it('every one answered below 500, every refusal names its problem and changes no row', async () => {
    const statuses = new Map<number, number>();
    let before = await snapshot();
    await fc.assert(
      fc.asyncProperty(attempts(), async (a) => {
        const answer = await send(a);
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        expect(answer.statusCode, answer.body).toBeLessThan(500);
        const after = await snapshot();
        if (answer.statusCode >= 400) {
          const body = answer.json<{ error?: { code?: unknown; message?: unknown; field?: unknown } }>();
          expect(typeof body.error?.code, answer.body).toBe('string');
          expect(String(body.error?.message ?? '').length, answer.body).toBeGreaterThan(0);
          if (body.error?.code === 'invalid_field') expect(typeof body.error.field, answer.body).toBe('string');
          expect(after, `${answer.statusCode} ${answer.body}`).toBe(before);
        }
        before = after;
      }),
      { numRuns: RUNS, seed: Number(process.env.FUZZ_SEED ?? 20261130) },
    );
    // The generator reaches past the front door: most answers are refusals of the body (400, 413,
    // 415) or of what it names (404, 409, and 429 once unlocks with wrong passphrases pile up), not 401s.
    const pastSignIn = [...statuses].filter(([s]) => [400, 404, 409, 413, 415, 429].includes(s)).reduce((n, [, c]) => n + c, 0);
    expect(pastSignIn).toBeGreaterThan(RUNS / 2);
    const bodyRefused = [...statuses].filter(([s]) => s === 400 || s === 413 || s === 415).reduce((n, [, c]) => n + c, 0);
    expect(bodyRefused).toBeGreaterThan(RUNS / 4);
  }, 300_000);
});
