// Passwords at OWASP's scrypt cost, and the hashes made at the old cost brought up to it on the next
// sign-in. Runs at the server's own cost (the harness lowers it for the other test files).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../src/server/db/accounts';
import { hashPassword, SCRYPT_COST, usePasswordCost, verifyPassword } from '../../src/server/passwords';
import { LEAD_API } from '../../src/shared/lead-api';
import { startServer, TEST_PASSWORD_COST, type Harness } from './harness';

let server: Harness;
beforeAll(async () => {
  usePasswordCost(SCRYPT_COST);
  server = await startServer();
});
afterAll(() => server.stop());

const PASSWORD = 'correct horse battery staple';
const hashOf = async (email: string) =>
  (await server.db.selectFrom('accounts').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow()).password_hash;

describe('account passwords', () => {
  it('are hashed with scrypt at N=2^17, r=8, p=1, the parameters stored with the hash', async () => {
    await createAccount(server.db, { email: 'new@example.org', name: 'New', role: 'lead', password: PASSWORD });
    const stored = await hashOf('new@example.org');
    expect(stored).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    expect(await verifyPassword('not it', stored)).toBe(false);
  });

  it('made at the old cost (N=2^14) still sign in, and are made again at the new cost', async () => {
    const old = await hashPassword(PASSWORD, TEST_PASSWORD_COST);
    expect(old).toMatch(/^scrypt\$16384\$8\$1\$/);
    await createAccount(server.db, { email: 'old@example.org', name: 'Old', role: 'lead', password: 'placeholder password' });
    await server.db.updateTable('accounts').set({ password_hash: old }).where('email', '=', 'old@example.org').execute();

    const wrong = await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email: 'old@example.org', password: 'wrong password' } });
    expect(wrong.statusCode).toBe(401);
    expect(await hashOf('old@example.org')).toBe(old);

    const signedIn = await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email: 'old@example.org', password: PASSWORD } });
    expect(signedIn.statusCode).toBe(201);
    const rewritten = await hashOf('old@example.org');
    expect(rewritten).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(rewritten).not.toBe(old);
    expect(await verifyPassword(PASSWORD, rewritten)).toBe(true);
    const again = await server.app.inject({ method: 'POST', url: LEAD_API.session, payload: { email: 'old@example.org', password: PASSWORD } });
    expect(again.statusCode).toBe(201);
    expect(await hashOf('old@example.org')).toBe(rewritten);
  });
});
