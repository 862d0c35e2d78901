// Sessions of organizers and leads: an HttpOnly, SameSite=Strict cookie naming a session stored
// hashed. Every state-changing request also needs the session's CSRF token in a header and, when the
// browser sends one, an Origin equal to the server's own.
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { CSRF_HEADER, SESSION_COOKIE, type AccountInfo } from '../shared/lead-api';
import { ApiProblem } from './api-problem';
import { findSession, mayManageDrive } from './db/accounts';
import type { Database, Role } from './db/schema';

export interface SignedIn {
  account: AccountInfo;
  csrfToken: string;
  tokenHash: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    signedIn: SignedIn | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin this request reached: its protocol and host, X-Forwarded-* only from a trusted proxy (Fastify's trustProxy). */
export function requestOrigin(request: FastifyRequest): string | undefined {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return undefined;
  }
}

/** Served over TLS directly, behind a trusted proxy that says so, or at an https PUBLIC_URL. */
function isSecure(request: FastifyRequest): boolean {
  return request.protocol === 'https' || request.server.publicOrigin?.startsWith('https:') === true;
}

const COOKIE_RULES = { path: '/', httpOnly: true, sameSite: 'strict' } as const;

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(SESSION_COOKIE, token, { ...COOKIE_RULES, expires: expiresAt, secure: isSecure(request) });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, COOKIE_RULES);
}

const FOREIGN = () => new ApiProblem(403, 'csrf', 'This request came from another site and was refused');

/**
 * A browser sends Origin on every cross-site POST/PUT/PATCH/DELETE (and on same-origin ones). When it
 * is there it must be our own origin — scheme, host and port — as this request reached us or as the
 * operator's PUBLIC_URL says; tools like curl send none and still need the CSRF token.
 */
export function checkOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let sent: string;
  try {
    sent = new URL(origin).origin;
  } catch {
    throw FOREIGN();
  }
  if (sent !== requestOrigin(request) && sent !== request.server.publicOrigin) throw FOREIGN();
}

export interface AccessRule {
  /** Only this role (organizers may do everything a lead may). */
  role?: Role;
  /** The route has a :driveId the account must lead (organizers: any drive). */
  drive?: boolean;
}

export function accountAuth(app: FastifyInstance, db: Kysely<Database>): (rule?: AccessRule) => preHandlerAsyncHookHandler {
  app.decorateRequest('signedIn', null);
  return (rule = {}) =>
    async function requireAccount(request) {
      const token = request.cookies[SESSION_COOKIE];
      const session = token ? await findSession(db, token) : undefined;
      if (!session) throw new ApiProblem(401, 'unauthorized', 'You are not signed in, or your session has ended: sign in again');
      if (!SAFE_METHODS.has(request.method)) {
        checkOrigin(request);
        if (request.headers[CSRF_HEADER] !== session.csrfToken) {
          throw new ApiProblem(403, 'csrf', "This request lacks the page's security token: reload the page and try again");
        }
      }
      if (rule.role === 'organizer' && session.account.role !== 'organizer') {
        throw new ApiProblem(403, 'forbidden', 'Only an organizer may do this');
      }
      if (rule.drive) {
        const driveId = (request.params as { driveId?: string }).driveId ?? '';
        if (!(await mayManageDrive(db, session.account, driveId))) throw new ApiProblem(403, 'forbidden', 'You are not a lead of this drive');
      }
      request.signedIn = session;
    };
}

/**
 * Whether the session of this cookie is still open and its account may still manage the drive: a
 * long-lived answer (the dashboard's event stream) asks again before each send.
 */
export async function sessionAllowsDrive(db: Kysely<Database>, token: string, driveId: string): Promise<boolean> {
  const session = token ? await findSession(db, token) : undefined;
  return session !== undefined && (await mayManageDrive(db, session.account, driveId));
}

export function signedIn(request: FastifyRequest): SignedIn {
  if (!request.signedIn) throw new Error('route is missing the requireAccount hook');
  return request.signedIn;
}
