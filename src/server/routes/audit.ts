// Organizers read the audit log: who opened or exported signers, who signed in, what changed — and
// whether the chain is still whole. Leads see figures, not who looked at signers.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { AUDIT_PAGE_MAX, AUDIT_PATH, type AuditPage } from '../../shared/audit';
import type { AccessRule } from '../account-auth';
import { ApiProblem } from '../api-problem';
import { auditEntries, checkAuditChain } from '../db/audit-log';
import type { Database } from '../db/schema';

const DEFAULT_LIMIT = 100;

function positiveInteger(raw: unknown, field: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const n = typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw new ApiProblem(400, 'invalid_field', `${field} must be a whole number from 1 to ${max}`, field);
  return n;
}

export function auditRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  app.get(AUDIT_PATH, { preHandler: requireAccount({ role: 'organizer' }) }, async (request, reply): Promise<AuditPage> => {
    const query = request.query as Record<string, unknown>;
    const limit = positiveInteger(query.limit, 'limit', AUDIT_PAGE_MAX) ?? DEFAULT_LIMIT;
    const beforeSeq = positiveInteger(query.before, 'before');
    const driveId = typeof query.driveId === 'string' && query.driveId !== '' ? query.driveId : undefined;
    reply.header('cache-control', 'no-store');
    const [entries, check] = await Promise.all([
      auditEntries(db, { limit, ...(beforeSeq !== undefined && { beforeSeq }), ...(driveId !== undefined && { driveId }) }),
      checkAuditChain(db),
    ]);
    return { entries, check };
  });
}
