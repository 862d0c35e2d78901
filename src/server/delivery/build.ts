// The delivery package, built in one call: the preview the organizer reviews, and the build that
// writes the ZIPs and the campaign's report. Plain data in and out, no shared in-memory state, so a
// worker thread can run it; the caller owns the job (table, progress, temp folder and rename).
import type { Kysely } from 'kysely';
import type { DeliveryBuildResult, DeliveryOptions, DeliveryPreview, DeliveryProgress } from '../../shared/delivery';
import type { Database } from '../db/schema';

export interface BuildDeliveryOptions {
  /** An existing, empty folder: one ZIP per package and the exclusions report go here. */
  outDir: string;
  onProgress?: (progress: DeliveryProgress) => void;
  /** An OpenSSH private key: the tag manifest is signed with it (default: env DELIVERY_SIGNING_KEY). */
  signingKeyFile?: string;
}

export async function previewDelivery(db: Kysely<Database>, driveId: string, options: DeliveryOptions): Promise<DeliveryPreview> {
  void db; void driveId; void options;
  throw new Error('not built yet');
}

export async function buildDelivery(db: Kysely<Database>, driveId: string, options: DeliveryOptions, build: BuildDeliveryOptions): Promise<DeliveryBuildResult> {
  void db; void driveId; void options; void build;
  throw new Error('not built yet');
}
