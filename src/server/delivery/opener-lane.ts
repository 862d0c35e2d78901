// A second thread opening a build's records beside the build's own thread. Opening is most of the
// selection pass's CPU (an ECDH a record, signer-open.ts), the server has a core to spare, and the
// selection must see every record before a sheet is made ("page x of y"), so the build hands pages
// of sealed rows to this lane while it opens others itself and works through what is opened
// (signature-rows.ts). The lane gets the drive's raw key in memory (transferred, its copy zeroed
// once imported) and lives for one selection pass, at the build thread's priority.
import { Worker } from 'node:worker_threads';
import type { Signer } from '../../shared/schema';
import { exportDrivePrivateKey } from '../../shared/signer-seal';
import type { StoredSignature, UnreadableSignature } from '../signer-details';

/** The opener's heap: a few pages of rows at a time. */
const OPENER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 3 } as const;

export interface OpenerThreadData {
  driveKey: Uint8Array;
}

export interface OpenRequest {
  page: number;
  rows: StoredSignature[];
}

export type OpenedRecord = { signer: Signer; autograph: string } | { unreadable: UnreadableSignature['reason'] };

interface OpenAnswer {
  page: number;
  opened: OpenedRecord[];
}

export class OpenerLane {
  private next = 0;
  private readonly waiting = new Map<number, { resolve: (opened: OpenedRecord[]) => void; reject: (e: Error) => void }>();
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', ({ page, opened }: OpenAnswer) => {
      this.waiting.get(page)?.resolve(opened);
      this.waiting.delete(page);
    });
    // The error's message may quote what was being opened: only that the lane failed goes on.
    worker.on('error', () => this.fail(new Error('The opener thread failed.')));
    worker.on('exit', () => this.fail(new Error('The opener thread stopped.')));
  }

  /** A lane running `script` (a bundle of opener-thread.ts) with the drive's key. */
  static async start(script: string, key: CryptoKey): Promise<OpenerLane> {
    const driveKey = await exportDrivePrivateKey(key);
    try {
      const data: OpenerThreadData = { driveKey };
      // Transferred: this thread keeps no copy.
      return new OpenerLane(new Worker(script, { workerData: data, transferList: [driveKey.buffer as ArrayBuffer], resourceLimits: OPENER_RESOURCE_LIMITS }));
    } catch (e) {
      if (driveKey.byteLength > 0) driveKey.fill(0);
      throw e;
    }
  }

  /** Pages sent and not yet answered. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /** Opens sealed rows (only what opening reads of them is sent), in order. */
  open(rows: StoredSignature[]): Promise<OpenedRecord[]> {
    if (this.failure) return Promise.reject(this.failure);
    const page = this.next++;
    const request: OpenRequest = {
      page,
      rows: rows.map(({ id, drive_id, city, state, sealed }) => ({ id, drive_id, city, state, sealed })),
    };
    return new Promise((resolve, reject) => {
      this.waiting.set(page, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const { reject } of this.waiting.values()) reject(this.failure);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new Error('The opener thread was closed.');
    await this.worker.terminate();
  }
}
