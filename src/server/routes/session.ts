// Signing in and out, and changing one's password. Wrong passwords are rate-limited per address and
// account in the database (db/failed-attempts.ts).
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { ChangePasswordSchema, LEAD_API, SignInSchema, type SessionInfo } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { checkOrigin, clearSessionCookie, setSessionCookie, signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { accountInfo, createSession, endOtherSessions, endSession, findAccountByEmail, setPassword } from '../db/accounts';
import { clearFailures, lockedFor, MAX_WRONG_PASSWORDS, recordFailure } from '../db/failed-attempts';
import type { Database } from '../db/schema';
import { verifyAgainstDecoy, verifyPassword } from '../passwords';

export function tooManyTries(seconds: number, what: string): ApiProblem {
  const minutes = Math.ceil(seconds / 60);
  return new ApiProblem(429, 'rate_limited', `Too many wrong ${what} from here: wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again`);
}

export function sessionRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  app.post(LEAD_API.session, async (request, reply) => {
    // No session yet, so no CSRF token: the Origin check keeps other sites from signing someone in.
    checkOrigin(request);
    const checked = check(SignInSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const { email, password } = checked.value;
    const key = `password:${request.ip}:${email}`;
    const wait = await lockedFor(db, key, MAX_WRONG_PASSWORDS);
    if (wait > 0) throw tooManyTries(wait, 'passwords');
    const account = await findAccountByEmail(db, email);
    const ok = account ? await verifyPassword(password, account.password_hash) : await verifyAgainstDecoy(password);
    if (!account || !ok) {
      await recordFailure(db, key);
      throw new ApiProblem(401, 'invalid_credentials', 'This email and password do not match an account: check both and try again', 'password');
    }
    await clearFailures(db, key);
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
    const key = `password:${request.ip}:${account.email}`;
    const wait = await lockedFor(db, key, MAX_WRONG_PASSWORDS);
    if (wait > 0) throw tooManyTries(wait, 'passwords');
    const row = (await findAccountByEmail(db, account.email))!;
    if (!(await verifyPassword(checked.value.currentPassword, row.password_hash))) {
      await recordFailure(db, key);
      throw new ApiProblem(400, 'invalid_credentials', 'The current password is not right: try again', 'currentPassword');
    }
    await setPassword(db, account.id, checked.value.newPassword);
    await endOtherSessions(db, account.id, tokenHash);
    await recordAudit(db, { action: 'password_changed', account, address: request.ip });
    return reply.code(204).send();
  });
}

