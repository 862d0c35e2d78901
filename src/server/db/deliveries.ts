// The deliveries table: a build claimed (one at a time per drive), its progress, its end (done with
// each package's SHA-256 and size, or failed with why), and the list the dashboard shows.
import type { Kysely, Selectable } from 'kysely';
import type { DeliveryPackage, DeliveryState, DeliverySummary } from '../../shared/lead-api';
import { uuidv7 } from '../../shared/ids';
import { isUniqueViolation } from './connect';
import type { Database } from './schema';

/** A building row whose heartbeat is older than this belongs to a process that died. */
export const DELIVERY_STALE_MS = 60_000;

export class DeliveryRunning extends Error {
  override name = 'DeliveryRunning';
}

export interface ClaimedDelivery {
  id: string;
  createdAt: string;
}

/** Claim the drive's one build slot; throws DeliveryRunning when another build holds it. */
export async function claimDelivery(
  db: Kysely<Database>,
  claim: { driveId: string; accountId: string; options: unknown; builder: string },
  now = new Date(),
): Promise<ClaimedDelivery> {
  const id = uuidv7();
  const at = now.toISOString();
  try {
    await db
      .insertInto('deliveries')
      .values({
        id,
        drive_id: claim.driveId,
        account_id: claim.accountId,
        created_at: at,
        state: 'building',
        options: JSON.stringify(claim.options),
        builder: claim.builder,
        heartbeat_at: at,
      })
      .execute();
  } catch (e) {
    if (isUniqueViolation(e)) throw new DeliveryRunning('a delivery of this drive is being built');
    throw e;
  }
  return { id, createdAt: at };
}

export async function recordProgress(
  db: Kysely<Database>,
  id: string,
  p: { pagesDone: number; pagesTotal: number; signaturesDone: number; signaturesTotal: number },
  now = new Date(),
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      pages_done: p.pagesDone,
      pages_total: p.pagesTotal,
      signatures_done: p.signaturesDone,
      signatures_total: p.signaturesTotal,
      heartbeat_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('state', '=', 'building')
    .execute();
}

/** The build is alive, with or without new progress (other instances judge by this). */
export async function touchDelivery(db: Kysely<Database>, id: string, now = new Date()): Promise<void> {
  await db.updateTable('deliveries').set({ heartbeat_at: now.toISOString() }).where('id', '=', id).where('state', '=', 'building').execute();
}

export async function finishDelivery(
  db: Kysely<Database>,
  id: string,
  done: { counts: unknown; signatures: number; packages: DeliveryPackage[]; reportFile: string },
  now = new Date(),
): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({
      state: 'done',
      finished_at: now.toISOString(),
      counts: JSON.stringify(done.counts),
      signatures: done.signatures,
      packages: JSON.stringify(done.packages),
      report_file: done.reportFile,
      heartbeat_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

export async function failDelivery(db: Kysely<Database>, id: string, error: string, now = new Date()): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ state: 'failed', finished_at: now.toISOString(), error })
    .where('id', '=', id)
    .where('state', '=', 'building')
    .execute();
}

/**
 * Builds a dead process left behind: those of this host's processes that no longer run (or of this
 * very process, on start), and any whose heartbeat stopped. Marked failed; their ids returned so the
 * caller removes their half-made files.
 */
export async function failAbandonedDeliveries(
  db: Kysely<Database>,
  isDeadBuilder: (builder: string, id: string) => boolean,
  now = new Date(),
): Promise<string[]> {
  const building = await db.selectFrom('deliveries').select(['id', 'builder', 'heartbeat_at']).where('state', '=', 'building').execute();
  const staleBefore = new Date(now.getTime() - DELIVERY_STALE_MS).toISOString();
  const dead = building.filter((row) => isDeadBuilder(row.builder, row.id) || row.heartbeat_at < staleBefore).map((row) => row.id);
  for (const id of dead) await failDelivery(db, id, 'The build stopped: the server running it stopped before it finished. Build it again.', now);
  return dead;
}

type Row = Selectable<Database['deliveries']>;

function summary(row: Row & { builder_name: string | null }): DeliverySummary {
  return {
    id: row.id,
    driveId: row.drive_id,
    state: row.state as DeliveryState,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    builtBy: { id: row.account_id, name: row.builder_name ?? '' },
    options: JSON.parse(row.options) as DeliverySummary['options'],
    counts: row.counts ? (JSON.parse(row.counts) as DeliverySummary['counts']) : null,
    signatures: row.signatures,
    packages: row.packages ? (JSON.parse(row.packages) as DeliveryPackage[]) : [],
    reportFile: row.report_file,
    error: row.error,
    progress: { pagesDone: row.pages_done, pagesTotal: row.pages_total, signaturesDone: row.signatures_done, signaturesTotal: row.signatures_total },
  };
}

function withBuilder(db: Kysely<Database>) {
  return db
    .selectFrom('deliveries')
    .leftJoin('accounts', 'accounts.id', 'deliveries.account_id')
    .selectAll('deliveries')
    .select('accounts.name as builder_name');
}

export async function findDelivery(db: Kysely<Database>, driveId: string, id: string): Promise<DeliverySummary | undefined> {
  const row = await withBuilder(db).where('deliveries.drive_id', '=', driveId).where('deliveries.id', '=', id).executeTakeFirst();
  return row && summary(row);
}

/** Past and running deliveries of a drive, newest first. */
export async function listDeliveries(db: Kysely<Database>, driveId: string, limit = 100): Promise<DeliverySummary[]> {
  const rows = await withBuilder(db)
    .where('deliveries.drive_id', '=', driveId)
    .orderBy('deliveries.created_at', 'desc')
    .orderBy('deliveries.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map(summary);
}
