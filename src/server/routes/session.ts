// Signing in and out, and changing one's password. Wrong passwords are rate-limited per account, per
// account and address, and per address, in the database (db/failed-attempts.ts).
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { ChangePasswordSchema, LEAD_API, SignInSchema, type SessionInfo } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { checkOrigin, clearSessionCookie, setSessionCookie, signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { accountInfo, createSession, endOtherSessions, endSession, findAccountByEmail, rehashPassword, setPassword } from '../db/accounts';
import { clearFailures, giveBack, passwordLimits, takeTry, untakeIfBusy, type AttemptLimit } from '../db/failed-attempts';
import type { Database } from '../db/schema';
import { needsRehash, verifyAgainstDecoy, verifyPassword } from '../passwords';

/** What a spent limit's key counts (db/failed-attempts.ts), as the 429 says it. */
const SPENT: [prefix: string, says: string][] = [
  ['password:', 'Too many wrong passwords from here'],
  ['password-account:', 'Too many wrong passwords for this account'],
  ['password-address:', 'Too many wrong passwords from this network'],
  ['code:', 'Too many wrong enrollment codes from this network'],
  ['code-anywhere', 'Too many wrong enrollment codes were tried, so enrolling is paused'],
];

export function tooManyTries(seconds: number, spent: AttemptLimit | undefined): ApiProblem {
  const minutes = Math.ceil(seconds / 60);
  const says = SPENT.find(([prefix]) => spent?.key.startsWith(prefix))?.[1] ?? 'Too many wrong tries';
  return new ApiProblem(429, 'rate_limited', `${says}: wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`);
}

/** The try was right: it leaves the shared counts, and its own account-and-address count starts over. */
async function rightTry(db: Kysely<Database>, [own, ...shared]: readonly AttemptLimit[]): Promise<void> {
  if (own) await clearFailures(db, own.key);
  await giveBack(
    db,
    shared.map((l) => l.key),
  );
}

export function sessionRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  app.post(LEAD_API.session, async (request, reply) => {
    // No session yet, so no CSRF token: the Origin check keeps other sites from signing someone in.
    checkOrigin(request);
    const checked = check(SignInSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const { email, password } = checked.value;
    const limits = passwordLimits(request.ip, email);
    const { wait, spent } = await takeTry(db, limits);
    if (wait > 0) throw tooManyTries(wait, spent);
    const account = await findAccountByEmail(db, email);
    let ok: boolean;
    try {
      ok = account ? await verifyPassword(password, account.password_hash) : await verifyAgainstDecoy(password);
    } catch (e) {
      await untakeIfBusy(db, limits, e);
      throw e;
    }
    if (!account || !ok)
      throw new ApiProblem(401, 'invalid_credentials', 'This email and password do not match an account: check both and try again', 'password');
    await rightTry(db, limits);
    // Made at an older cost: the password is known now, so hash it again at today's.
    if (needsRehash(account.password_hash)) await rehashPassword(db, account.id, password, account.password_hash);
    const session = await createSession(db, account.id);
    await recordAudit(db, { action: 'sign_in', account: { id: account.id, email: account.email }, address: request.ip });
    setSessionCookie(request, reply, session.token, session.expiresAt);
    const info: SessionInfo = { account: (await accountInfo(db, account.id))!, csrfToken: session.csrfToken };
    return reply.code(201).send(info);
  });

  app.get(LEAD_API.session, { preHandler: requireAccount() }, async (request): Promise<SessionInfo> => {
    const { account, csrfToken } = signedIn(request);
    return { account, csrfToken };
  });

  app.delete(LEAD_API.session, { preHandler: requireAccount() }, async (request, reply) => {
    const { account, tokenHash } = signedIn(request);
    await endSession(db, tokenHash);
    await recordAudit(db, { action: 'sign_out', account, address: request.ip });
    clearSessionCookie(reply);
    return reply.code(204).send();
  });

  app.post(LEAD_API.password, { preHandler: requireAccount() }, async (request, reply) => {
    const checked = check(ChangePasswordSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const { account, tokenHash } = signedIn(request);
    const limits = passwordLimits(request.ip, account.email);
    const { wait, spent } = await takeTry(db, limits);
    if (wait > 0) throw tooManyTries(wait, spent);
    const row = (await findAccountByEmail(db, account.email))!;
    if (!(await verifyPassword(checked.value.currentPassword, row.password_hash))) {
      throw new ApiProblem(400, 'invalid_credentials', 'The current password is not right: try again', 'currentPassword');
    }
    await rightTry(db, limits);
    await setPassword(db, account.id, checked.value.newPassword);
    await endOtherSessions(db, account.id, tokenHash);
    await recordAudit(db, { action: 'password_changed', account, address: request.ip });
    return reply.code(204).send();
  });
}
