// Drives and accounts: organizers create and edit drives and manage leads; a lead reads the drives
// they lead.
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { DriveEditSchema, LEAD_API, NewDriveSchema, NewLeadSchema, type CreatedDriveDetails, type DriveDetails } from '../../shared/lead-api';
import { check } from '../../shared/schema';
import { signedIn, type AccessRule } from '../account-auth';
import { ApiProblem, invalidRequest } from '../api-problem';
import { recordAudit } from '../db/audit-log';
import { accountInfo, addDriveLead, createAccount, listAccounts, removeDriveLead } from '../db/accounts';
import { isUniqueViolation } from '../db/connect';
import { createDrive, driveDetails, editDrive, listDrives } from '../db/drives';
import type { Database } from '../db/schema';
import { makeOneTimePassword } from '../passwords';

type Params = { driveId: string; accountId: string };

const noDrive = () => new ApiProblem(404, 'not_found', 'There is no such drive');

export function driveRoutes(app: FastifyInstance, db: Kysely<Database>, requireAccount: (rule?: AccessRule) => preHandlerAsyncHookHandler): void {
  const organizer = requireAccount({ role: 'organizer' });
  const ofDrive = requireAccount({ drive: true });
  const organizerOfDrive = requireAccount({ role: 'organizer', drive: true });

  app.get(LEAD_API.drives, { preHandler: requireAccount() }, async (request) => {
    const { account } = signedIn(request);
    return { drives: await listDrives(db, account.role === 'organizer' ? undefined : account.driveIds) };
  });

  app.post(LEAD_API.drives, { preHandler: organizer }, async (request, reply) => {
    const checked = check(NewDriveSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const { account } = signedIn(request);
    const drive = await createDrive(db, { ...checked.value, createdBy: account.id });
    const details = await driveDetails(db, drive.id);
    // The recovery key travels this once; the answer is never cached (no-store on every /api answer).
    const created: CreatedDriveDetails = { ...details!, recoveryKey: drive.recoveryKey };
    return reply.code(201).send(created);
  });

  app.get<{ Params: Params }>('/api/v1/drives/:driveId', { preHandler: ofDrive }, async (request): Promise<DriveDetails> => {
    const details = await driveDetails(db, request.params.driveId);
    if (!details) throw noDrive();
    return details;
  });

  app.patch<{ Params: Params }>('/api/v1/drives/:driveId', { preHandler: organizerOfDrive }, async (request) => {
    const checked = check(DriveEditSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    if (!(await editDrive(db, request.params.driveId, checked.value))) throw noDrive();
    return driveDetails(db, request.params.driveId);
  });

  app.get(LEAD_API.accounts, { preHandler: organizer }, async () => ({ accounts: await listAccounts(db) }));

  app.post(LEAD_API.accounts, { preHandler: organizer }, async (request, reply) => {
    const checked = check(NewLeadSchema, request.body);
    if (!checked.ok) throw invalidRequest(checked.problems, request.body);
    const password = makeOneTimePassword();
    try {
      const id = await createAccount(db, { ...checked.value, password });
      await recordAudit(db, {
        action: 'account_created',
        account: signedIn(request).account,
        address: request.ip,
        detail: { accountId: id, email: checked.value.email },
      });
      // The only time the password is shown: the organizer hands it over, the lead changes it.
      return reply.code(201).send({ account: await accountInfo(db, id), password });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ApiProblem(409, 'invalid_field', 'An account with this email exists already', 'email');
      throw e;
    }
  });

  app.put<{ Params: Params }>('/api/v1/drives/:driveId/leads/:accountId', { preHandler: organizerOfDrive }, async (request, reply) => {
    const { driveId, accountId } = request.params;
    if (!(await driveDetails(db, driveId))) throw noDrive();
    if (!(await accountInfo(db, accountId))) throw new ApiProblem(404, 'not_found', 'There is no such account');
    await addDriveLead(db, driveId, accountId);
    await recordAudit(db, { action: 'lead_added', account: signedIn(request).account, address: request.ip, driveId, detail: { accountId } });
    return reply.code(204).send();
  });

  app.delete<{ Params: Params }>('/api/v1/drives/:driveId/leads/:accountId', { preHandler: organizerOfDrive }, async (request, reply) => {
    const { driveId, accountId } = request.params;
    await removeDriveLead(db, driveId, accountId);
    await recordAudit(db, { action: 'lead_removed', account: signedIn(request).account, address: request.ip, driveId, detail: { accountId } });
    return reply.code(204).send();
  });
}
