// The audit log: who unlocked a drive, read or exported signers, signed in, changed an account or a
// lead, revoked or wiped a device. Append-only and chained: each entry carries the SHA-256 of the
// one before over its own content, so an edited or deleted entry breaks every hash after it.
// Entries hold counts and ids, never a signer's details.
import { sql, type Kysely } from 'kysely';
import { AUDIT_GENESIS, type AuditAction, type AuditCheck, type AuditEntry } from '../../shared/audit';
import { canonicalJson, sha256Hex } from '../../shared/digest';
import { sqliteConnectionOf } from './connect';
import type { AuditLogTable, Database } from './schema';

export interface AuditEvent {
  action: AuditAction;
  /** The signed-in account, when there is one. */
  account?: { id: string; email: string } | undefined;
  /** Who, when no account acted (`device:<id>`, `server`). */
  actor?: string | undefined;
  address?: string | undefined;
  driveId?: string | undefined;
  signers?: number | undefined;
  detail?: Record<string, unknown> | undefined;
}

/** Appends serialize on this PostgreSQL advisory lock (any fixed number; SQLite has one writer anyway). */
const AUDIT_LOCK = 0x6175_6474;
const PAGE = 1000;

type Row = Omit<AuditLogTable, 'hash'>;

/** SHA-256 of the previous entry's hash and this entry's content, canonical JSON. */
export function auditHash(row: Row): Promise<string> {
  const { prev_hash, ...content } = row;
  return sha256Hex(`${prev_hash}\n${canonicalJson(content)}`);
}

/** Appends one entry to the chain; resolves once it is stored. */
export function recordAudit(db: Kysely<Database>, event: AuditEvent, now = new Date()): Promise<AuditEntry> {
  const postgres = !sqliteConnectionOf(db);
  // Read the last entry and write the next in one transaction, one appender at a time across every
  // instance: two entries chained to the same predecessor would fork the chain.
  return db.transaction().execute(async (trx) => {
    if (postgres) await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
    const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const row: Row = {
      seq: (last?.seq ?? 0) + 1,
      at: now.toISOString(),
      action: event.action,
      account_id: event.account?.id ?? null,
      actor: event.account?.email ?? event.actor ?? 'server',
      address: event.address ?? null,
      drive_id: event.driveId ?? null,
      signers: event.signers ?? null,
      detail: event.detail ? canonicalJson(event.detail) : null,
      prev_hash: last?.hash ?? AUDIT_GENESIS,
    };
    const hash = await auditHash(row);
    await trx
      .insertInto('audit_log')
      .values({ ...row, hash })
      .execute();
    return toEntry({ ...row, hash });
  });
}

function toEntry(row: AuditLogTable): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    action: row.action as AuditAction,
    actor: row.actor,
    address: row.address,
    driveId: row.drive_id,
    signers: row.signers,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** The newest entries first, optionally of one drive. */
export async function auditEntries(db: Kysely<Database>, options: { driveId?: string; limit: number; beforeSeq?: number }): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('seq', 'desc').limit(options.limit);
  if (options.driveId !== undefined) query = query.where('drive_id', '=', options.driveId);
  if (options.beforeSeq !== undefined) query = query.where('seq', '<', options.beforeSeq);
  return (await query.execute()).map(toEntry);
}

/** Walks the whole chain in pages and recomputes every hash. */
export async function checkAuditChain(db: Kysely<Database>): Promise<AuditCheck> {
  let expectedSeq = 1;
  let prev = AUDIT_GENESIS;
  let entries = 0;
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('seq', '>=', expectedSeq).orderBy('seq').limit(PAGE).execute();
    for (const { hash, ...row } of rows) {
      const broken = (problem: NonNullable<AuditCheck['problem']>): AuditCheck => ({ intact: false, entries, head: prev, brokenAt: row.seq, problem });
      if (row.seq !== expectedSeq) return broken('sequence_gap');
      if (row.prev_hash !== prev) return broken('chain_broken');
      if ((await auditHash(row)) !== hash) return broken('hash_mismatch');
      prev = hash;
      expectedSeq++;
      entries++;
    }
    if (rows.length < PAGE) return { intact: true, entries, head: prev };
  }
}
