// scrypt takes 128 MiB a call: the gate bounds how many run at once on an instance, and a sign-in or
// unlock past the bound is answered 503 at once, with Retry-After, without counting as a wrong try.
import { scryptSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/server/db/accounts';
import { DEFAULT_GATE, KdfBusyError, KdfGate, kdfGate, scryptKey } from '../../src/server/memory-hard';
import { LEAD_API } from '../../src/shared/lead-api';
import { startServer, type Harness } from './harness';

const COST = { N: 2 ** 10, r: 8, p: 1 };

describe('the gate', () => {
  it('runs at most `running` at once, queues `waiting` more, refuses the rest; the queued ones still finish right', async () => {
    const gate = new KdfGate({ running: 1, waiting: 1, retryAfterS: 3 });
    let release!: () => void;
    const held = gate.run(() => new Promise<string>((resolve) => (release = () => resolve('first'))));
    const salt = Buffer.from('0123456789abcdef');
    const queued = scryptKey('pässword', salt, COST, gate);
    expect(gate.busy).toEqual({ running: 1, waiting: 1 });
    const refused = await scryptKey('another', salt, COST, gate).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(KdfBusyError);
    expect(refused).toMatchObject({ status: 503, code: 'overloaded', retryAfterS: 3 });
    release();
    expect(await held).toBe('first');
    // NFC-normalised, as every stored hash and wrap was made.
    expect(await queued).toEqual(scryptSync('pässword'.normalize('NFC'), salt, 32, COST));
    expect(gate.busy).toEqual({ running: 0, waiting: 0 });
  });

  it('frees its slot when the work fails', async () => {
    const gate = new KdfGate({ running: 1, waiting: 0, retryAfterS: 1 });
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(() => Promise.resolve(7))).toBe(7);
  });
});

describe('a sign-in while the gate is full', () => {
  let server: Harness;
  const releases: (() => void)[] = [];
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    for (const release of releases.splice(0)) release();
    await server.stop();
  });

  it('gets 503 with Retry-After at once, counts no wrong try, and signs in once there is room', async () => {
    const email = 'busy@example.org';
    await createAccount(server.db, { email, name: 'Pat Lead', role: 'lead', password: 'correct horse battery staple' });
    // Fill every running slot and the whole queue with work that waits for us.
    const fillers = Array.from({ length: DEFAULT_GATE.running + DEFAULT_GATE.waiting }, () =>
      kdfGate.run(() => new Promise<void>((resolve) => releases.push(resolve))),
    );
    expect(kdfGate.busy).toEqual({ running: DEFAULT_GATE.running, waiting: DEFAULT_GATE.waiting });
    const signIn = (password: string) =>
      server.app.inject({ method: 'POST', url: LEAD_API.session, remoteAddress: '198.51.100.7', payload: { email, password } });

    const busy = await signIn('wrong password');
    expect(busy.statusCode).toBe(503);
    expect(busy.headers['retry-after']).toBe(String(DEFAULT_GATE.retryAfterS));
    expect(busy.json()).toMatchObject({ error: { code: 'overloaded' } });
    const counted = await server.db.selectFrom('failed_attempts').select(['key', 'failures']).where('failures', '>', 0).execute();
    expect(counted).toEqual([]);

    for (const release of releases.splice(0)) release();
    // Each filler hands its slot to the next queued one; let them drain.
    while (releases.length || kdfGate.busy.running) {
      for (const release of releases.splice(0)) release();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(fillers);
    expect((await signIn('correct horse battery staple')).statusCode).toBe(201);
  });
});
