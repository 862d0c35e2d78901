// The delivery build and its preview, off the request thread: its own database connection,
// buildDelivery (progress posted to the server thread) or previewDelivery. Tablets keep syncing while
// it works (tests/bench/delivery-sync.bench.ts); a preview of 25,000 signatures held the server's
// event loop for 3–4 s when it ran on the request thread. The drive's unlocked private key comes in
// the job's data, in memory only (never a file, a row or a log), and is imported once and its bytes zeroed.
import { parentPort, workerData } from 'node:worker_threads';
import type { DeliveryOptions, DeliveryPreview } from '../../shared/delivery';
import { importDrivePrivateKey } from '../../shared/signer-seal';
import { openDatabase, type ConnectOptions } from '../db/connect';
import { buildDelivery, previewDelivery } from './build';
import { DeliveryError } from './delivery-error';
import { lowerThisThread } from './worker-priority';

export interface JobWorkerData {
  kind: 'build' | 'preview';
  driveId: string;
  options: DeliveryOptions;
  outDir: string;
  connection: ConnectOptions;
  signingKeyFile?: string | undefined;
  /** The drive's private key, raw (transferred, not copied, from the request thread): opens the records. */
  driveKey: Uint8Array;
  /** A bundle of opener-thread.ts: the selection opens records on a second thread too (opener-lane.ts). */
  openerScript?: string | undefined;
}

export type JobWorkerMessage =
  | { type: 'progress'; progress: { pagesDone: number; pagesTotal: number; signaturesDone: number; signaturesTotal: number } }
  | { type: 'done'; result: Awaited<ReturnType<typeof buildDelivery>> }
  | { type: 'preview'; preview: DeliveryPreview }
  /**
   * `name` and the stack's frames only: an error's message may quote signer data. A DeliveryError's
   * message is written for the organizer and never carries signer data, so it goes too.
   */
  | { type: 'failed'; name: string; frames: string; message?: string };

lowerThisThread();

const job = workerData as JobWorkerData;
const port = parentPort!;
const connection: ConnectOptions = 'url' in job.connection ? { url: job.connection.url, poolSize: 2 } : job.connection;
const database = openDatabase(connection);

try {
  const key = await importDrivePrivateKey(job.driveKey);
  job.driveKey.fill(0);
  if (job.kind === 'preview') {
    port.postMessage({
      type: 'preview',
      preview: await previewDelivery(database.db, job.driveId, job.options, { key, openerScript: job.openerScript }),
    } satisfies JobWorkerMessage);
  } else {
    const result = await buildDelivery(database.db, job.driveId, job.options, {
      key,
      openerScript: job.openerScript,
      outDir: job.outDir,
      onProgress: (progress) => port.postMessage({ type: 'progress', progress: { ...progress } } satisfies JobWorkerMessage),
      ...(job.signingKeyFile && { signingKeyFile: job.signingKeyFile }),
    });
    port.postMessage({ type: 'done', result } satisfies JobWorkerMessage);
  }
} catch (e) {
  const error = e instanceof Error ? e : new Error('non-error thrown');
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => l.trimStart().startsWith('at '))
    .join('\n');
  port.postMessage({ type: 'failed', name: error.name, frames, ...(e instanceof DeliveryError && { message: e.message }) } satisfies JobWorkerMessage);
} finally {
  job.driveKey.fill(0);
  await database.close();
}
