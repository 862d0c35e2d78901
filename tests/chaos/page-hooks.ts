// Bundled by tests/chaos/page-hooks-bundle.ts and added to the page: the chaos tests capture and
// strike signatures through the app's real storage code (same Dexie schema, same database, strict
// durability), just without drawing hundreds of autographs by hand.
import { sampleAutograph, sampleSigner } from '../support/records';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import type { Receipt } from '../../src/shared/protocol';
import { deviceDb } from '../../src/storage/device-db';
import { loadDrive, loadEnrollment, loadReceipt } from '../../src/storage/settings';
import { captureSignature } from '../../src/storage/signatures';
import { deviceCounts, type DeviceCounts } from '../../src/storage/outbox';
import { voidSignature } from '../../src/storage/volunteer-day';

export interface DeviceRow {
  id: string;
  seq: number;
  digest: string;
  state: string;
  confirmed: boolean;
  voidReason?: string;
  voidConfirmed: boolean;
}

export interface ChaosHooks {
  capture(n: number): Promise<{ id: string; seq: number; digest: string }>;
  strike(id: string, reason: string): Promise<void>;
  counts(): Promise<DeviceCounts>;
  rows(): Promise<DeviceRow[]>;
  receipt(): Promise<Receipt | undefined>;
  deviceId(): Promise<string | undefined>;
}

declare global {
  interface Window {
    __chaos?: ChaosHooks;
  }
}

window.__chaos = {
  async capture(n) {
    const [enrollment, drive] = await Promise.all([loadEnrollment(), loadDrive()]);
    if (!enrollment || !drive) throw new Error('not enrolled');
    const petition = drive.petitions[0]!;
    const saved = await captureSignature({
      deviceId: enrollment.deviceId,
      driveId: drive.id,
      petition: { version: petition.version, language: petition.language },
      volunteer: 'Chaos Volunteer',
      signer: sampleSigner(n),
      autograph: encodeAutograph(sampleAutograph(n)),
    });
    return { id: saved.id, seq: saved.seq, digest: saved.digest };
  },
  strike: async (id, reason) => void (await voidSignature(id, reason)),
  counts: deviceCounts,
  async rows() {
    return (await deviceDb().signatures.orderBy('seq').toArray()).map((r) => ({
      id: r.id,
      seq: r.seq,
      digest: r.digest,
      state: r.state,
      confirmed: Boolean(r.confirmedAt),
      ...(r.void ? { voidReason: r.void.reason } : {}),
      voidConfirmed: Boolean(r.voidConfirmedAt),
    }));
  },
  receipt: loadReceipt,
  deviceId: async () => (await loadEnrollment())?.deviceId,
};
