// Signer data put in someone's hands. Every delivery built and every package or exclusions report
// downloaded passes through recordSignerDataRelease, the one place that records it: who, when, from
// where, which drive, how many signers — in the deliveries' own record (which file of which
// delivery) and as an entry of the hash-chained audit log, in one transaction.
import type { Kysely } from 'kysely';
import type { AuditAction } from '../../shared/audit';
import { uuidv7 } from '../../shared/ids';
import { recordAudit } from './audit-log';
import type { Database } from './schema';

export const RELEASE_ACTIONS = ['delivery_built', 'package_downloaded', 'report_downloaded'] as const;
export type ReleaseAction = (typeof RELEASE_ACTIONS)[number];

const AUDITED_AS: Record<ReleaseAction, AuditAction> = {
  delivery_built: 'delivery_built',
  package_downloaded: 'delivery_downloaded',
  report_downloaded: 'delivery_downloaded',
};

export interface SignerDataRelease {
  action: ReleaseAction;
  account: { id: string; email: string };
  driveId: string;
  deliveryId?: string;
  /** The file handed over, when it was a download. */
  file?: string;
  /** How many signers' details it carried. */
  signers: number;
  /** Where the request came from (the client's address and browser). */
  address?: string | undefined;
  userAgent?: string | undefined;
}

export async function recordSignerDataRelease(db: Kysely<Database>, release: SignerDataRelease, now = new Date()): Promise<void> {
  const id = uuidv7();
  await db
    .insertInto('signer_data_releases')
    .values({
      id,
      at: now.toISOString(),
      account_id: release.account.id,
      drive_id: release.driveId,
      action: release.action,
      delivery_id: release.deliveryId ?? null,
      file: release.file ?? null,
      signers: release.signers,
      address: release.address ?? null,
      user_agent: release.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  await recordAudit(
    db,
    {
      action: AUDITED_AS[release.action],
      account: release.account,
      address: release.address,
      driveId: release.driveId,
      signers: release.signers,
      detail: {
        release: id,
        deliveryId: release.deliveryId,
        ...(release.file && { file: release.file }),
        ...(release.action === 'report_downloaded' && { report: true }),
      },
    },
    now,
  );
}

export async function releasesOf(db: Kysely<Database>, driveId: string) {
  return db.selectFrom('signer_data_releases').selectAll().where('drive_id', '=', driveId).orderBy('at').orderBy('id').execute();
}
