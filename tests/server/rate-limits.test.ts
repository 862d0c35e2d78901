// Rate limits guard the secrets, not the addresses: parallel guesses cannot slip past a count, one
// account cannot be tried from many addresses without limit, and a room of volunteers behind one
// office address enrolls its tablets whatever typos its neighbours make.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_WRONG_CODES,
  MAX_WRONG_CODES_ANYWHERE,
  MAX_WRONG_PASSWORDS,
  MAX_WRONG_PASSWORDS_PER_ACCOUNT,
  MAX_WRONG_PASSWORDS_PER_ADDRESS,
  recordFailure,
} from '../../src/server/db/failed-attempts';
import { createAccount } from '../../src/server/db/accounts';
import { LEAD_API } from '../../src/shared/lead-api';
import { API, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { createTestDrive, startServer, type Harness } from './harness';

let server: Harness;
beforeEach(async () => {
  server = await startServer();
});
afterEach(() => server.stop());

const PASSWORD = 'correct horse battery staple';

async function account(email: string): Promise<string> {
  await createAccount(server.db, { email, name: 'Pat Lead', role: 'lead', password: PASSWORD });
  return email;
}

const signIn = (email: string, password: string, remoteAddress = '198.51.100.1') =>
  server.app.inject({ method: 'POST', url: LEAD_API.session, remoteAddress, payload: { email, password } });

const enrollWith = (code: string, remoteAddress = '198.51.100.1') =>
  server.app.inject({ method: 'POST', url: API.enroll, remoteAddress, payload: { protocol: PROTOCOL_VERSION, code, deviceName: 'Tablet' } });

const devices = async () => (await server.db.selectFrom('devices').select('id').execute()).length;

describe('wrong passwords', () => {
  it(`sent 20 at once, at most ${MAX_WRONG_PASSWORDS} are tried; the rest are refused unread`, async () => {
    const email = await account('parallel@example.org');
    const answers = await Promise.all(Array.from({ length: 20 }, () => signIn(email, 'wrong password')));
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(MAX_WRONG_PASSWORDS);
    expect(statuses.filter((s) => s !== 401).every((s) => s === 429)).toBe(true);
    const row = await server.db.selectFrom('failed_attempts').select('failures').where('key', '=', `password:198.51.100.1:${email}`).executeTakeFirstOrThrow();
    expect(row.failures).toBeLessThanOrEqual(MAX_WRONG_PASSWORDS);
    expect((await signIn(email, PASSWORD)).statusCode).toBe(429);
  });

  it(`for one account from many addresses stop after ${MAX_WRONG_PASSWORDS_PER_ACCOUNT}, even the right one`, async () => {
    const email = await account('many-addresses@example.org');
    // Wrong tries already counted from as many addresses (each under its own limit of five).
    for (let i = 0; i < MAX_WRONG_PASSWORDS_PER_ACCOUNT - 1; i++) await recordFailure(server.db, `password-account:${email}`);
    expect((await signIn(email, 'wrong password', '203.0.113.50')).statusCode).toBe(401);
    const locked = await signIn(email, PASSWORD, '203.0.113.51');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/this account: wait \d+ minute/) } });
    // Another account is not held up.
    expect((await signIn(await account('other@example.org'), PASSWORD, '203.0.113.51')).statusCode).toBe(201);
  });

  it('a right password gives its try back: the account count holds only wrong ones', async () => {
    const email = await account('right@example.org');
    expect((await signIn(email, 'wrong password')).statusCode).toBe(401);
    expect((await signIn(email, PASSWORD, '203.0.113.9')).statusCode).toBe(201);
    const rows = await server.db.selectFrom('failed_attempts').select(['key', 'failures']).orderBy('key').execute();
    expect(rows).toEqual(
      [
        { key: `password-account:${email}`, failures: 1 },
        { key: 'password-address:198.51.100.1', failures: 1 },
        { key: `password:198.51.100.1:${email}`, failures: 1 },
        { key: 'password-address:203.0.113.9', failures: 0 },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
  });

  it(`from one address for many accounts stop at a generous ${MAX_WRONG_PASSWORDS_PER_ADDRESS}`, async () => {
    const email = await account('office@example.org');
    for (let i = 0; i < MAX_WRONG_PASSWORDS_PER_ADDRESS; i++) await recordFailure(server.db, 'password-address:192.0.2.77');
    expect((await signIn(email, PASSWORD, '192.0.2.77')).statusCode).toBe(429);
    expect((await signIn(email, PASSWORD, '192.0.2.78')).statusCode).toBe(201);
  });
});

describe('enrollment codes', () => {
  it('twenty volunteers behind one address enroll with the right code whatever typos the room makes', async () => {
    const { code } = await createTestDrive(server.db, 'Office morning');
    for (let volunteer = 0; volunteer < 20; volunteer++) {
      // Half of them mistype first, some twice.
      if (volunteer % 2 === 0) expect((await enrollWith('K7QM-3XPX')).statusCode).toBe(400);
      if (volunteer % 4 === 0) expect((await enrollWith('K7QM3XP')).statusCode).toBe(400);
      expect((await enrollWith(code)).statusCode).toBe(201);
    }
    expect(await devices()).toBe(20);
  });

  it('wrong codes sent all at once are counted exactly: none slips past the limit', async () => {
    const { code } = await createTestDrive(server.db, 'Burst');
    for (let i = 0; i < MAX_WRONG_CODES - 5; i++) await recordFailure(server.db, 'code:198.51.100.1');
    const answers = await Promise.all(Array.from({ length: 20 }, () => enrollWith('ZZZZ-ZZZZ')));
    expect(answers.filter((a) => a.statusCode === 400)).toHaveLength(5);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(15);
    expect((await enrollWith(code)).statusCode).toBe(429);
    expect(await devices()).toBe(0);
  });

  it(`guessed from many addresses, every code is closed for a while after ${MAX_WRONG_CODES_ANYWHERE} wrong ones`, async () => {
    const { code } = await createTestDrive(server.db, 'Under attack');
    for (let i = 0; i < MAX_WRONG_CODES_ANYWHERE - 1; i++) await recordFailure(server.db, 'code-anywhere');
    expect((await enrollWith('ZZZZ-ZZZZ', '203.0.113.200')).statusCode).toBe(400);
    const closed = await enrollWith(code, '192.0.2.10');
    expect(closed.statusCode).toBe(429);
    expect(closed.json()).toMatchObject({ error: { code: 'rate_limited', message: expect.stringMatching(/enrolling is paused: wait \d+ minute/) } });
    expect(await devices()).toBe(0);
  });
});
