// Runs delivery builds as jobs: one worker thread per build, one build at a time per drive (claimed
// in the database, so every instance agrees), files made in a temp folder and renamed into place only
// when the build succeeded. A build that dies — worker crash, terminate, server killed — leaves a
// failed row and no file: what is listed as done is always whole. The drive's unlocked key goes to the
// worker with its job, in memory (its bytes transferred, not copied): never into the deliveries table,
// a file or a log.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Kysely } from 'kysely';
import type { DeliveryOptions, DeliveryPreview } from '../../shared/delivery';
import { exportDrivePrivateKey } from '../../shared/signer-seal';
import type { ConnectOptions } from '../db/connect';
import { claimDelivery, failAbandonedDeliveries, failDelivery, finishDelivery, recordProgress, touchDelivery } from '../db/deliveries';
import type { Database } from '../db/schema';
import { sealKeyOf } from '../db/drive-keys';
import { recordSignerDataRelease } from '../db/signer-data-releases';
import { importDrivePublicKey, type SealContext } from '../../shared/signer-seal';
import { sealFileInPlace } from './sealed-file';
import type { JobWorkerData, JobWorkerMessage } from './job-worker';
import { nodeBundle } from './worker-script';

/** Progress reaches the database (where every instance reads it) at most this often. */
const PROGRESS_WRITE_MS = 250;
/** A running build touches its row this often, so other instances know it is alive (DELIVERY_STALE_MS). */
const HEARTBEAT_MS = 10_000;
const TEMP_PREFIX = '.building-';
/**
 * The V8 heap a build or preview may use: the build streams, so its memory does not grow with the
 * drive (tests/bench/delivery.bench.ts measures 100,000 signatures in these limits); a build that
 * outgrew them would end failed, not take the server down with it. The young generation is kept
 * small: V8's default (3 × 16 MB semi-spaces) held about 25 MB more of the peak for no gain in time.
 */
export const WORKER_RESOURCE_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 12 } as const;

export interface DeliveryJobsConfig {
  db: Kysely<Database>;
  /** `DATA_DIR/deliveries`: one folder per finished delivery. */
  dir: string;
  /** How the worker opens its own connection to the same database. */
  connection: ConnectOptions;
  /** An OpenSSH private key: the tag manifest is signed with it. */
  signingKeyFile?: string | undefined;
  log?: { error(obj: unknown, msg: string): void } | undefined;
}

export interface StartRequest {
  driveId: string;
  /** The drive's private key, unlocked for this build (signer-access.ts unlockDrive). */
  key: CryptoKey;
  account: { id: string; email: string };
  options: DeliveryOptions;
  address?: string | undefined;
  userAgent?: string | undefined;
}

interface Running {
  worker: Worker;
  driveId: string;
  settled: Promise<void>;
}

const BUILDER = `${hostname()}:${process.pid}`;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A build of this host whose process no longer runs — or of this process before it (re)started. */
function deadBuilderOnThisHost(running: ReadonlyMap<string, unknown>) {
  return (builder: string, id: string): boolean => {
    const at = builder.lastIndexOf(':');
    if (builder.slice(0, at) !== hostname()) return false;
    const pid = Number(builder.slice(at + 1));
    if (pid === process.pid) return !running.has(id);
    return !pidAlive(pid);
  };
}

export class DeliveryJobs {
  private running = new Map<string, Running>();

  constructor(private readonly config: DeliveryJobsConfig) {}

  folderOf(deliveryId: string): string {
    return join(this.config.dir, deliveryId);
  }

  /** Claim the drive's build and start its worker; the answer comes before the build ends. */
  async start(request: StartRequest): Promise<string> {
    const { db } = this.config;
    // A build whose server died must not hold the drive's slot for ever.
    await this.failAbandoned();
    const driveKey = await exportDrivePrivateKey(request.key);
    let claimed;
    try {
      claimed = await claimDelivery(db, { driveId: request.driveId, accountId: request.account.id, options: request.options, builder: BUILDER });
    } catch (e) {
      driveKey.fill(0);
      throw e;
    }
    const id = claimed.id;
    const temp = join(this.config.dir, `${TEMP_PREFIX}${id}`);
    try {
      mkdirSync(temp, { recursive: true });
      const worker = await this.spawn({ kind: 'build', driveId: request.driveId, options: request.options, outDir: temp, driveKey });
      this.running.set(id, { worker, driveId: request.driveId, settled: this.follow(id, worker, temp, request) });
    } catch (e) {
      driveKey.fill(0);
      rmSync(temp, { recursive: true, force: true });
      await failDelivery(db, id, 'The build could not start. Try again.');
      throw e;
    }
    return id;
  }

  /** The worker of one job, running the bundled plain-JavaScript worker; the key's bytes move to it (this thread's copy is left empty). */
  private async spawn(job: Pick<JobWorkerData, 'kind' | 'driveId' | 'options' | 'outDir' | 'driveKey'>): Promise<Worker> {
    const [script, openerScript] = await Promise.all([
      nodeBundle(fileURLToPath(new URL('./job-worker.ts', import.meta.url))),
      nodeBundle(fileURLToPath(new URL('./opener-thread.ts', import.meta.url))),
    ]);
    const data: JobWorkerData = { ...job, connection: this.config.connection, signingKeyFile: this.config.signingKeyFile, openerScript };
    return new Worker(script, { workerData: data, transferList: [job.driveKey.buffer as ArrayBuffer], resourceLimits: WORKER_RESOURCE_LIMITS });
  }

  /** What a delivery with these options would hold, worked out in a worker like the build. */
  async preview(driveId: string, options: DeliveryOptions, key: CryptoKey): Promise<DeliveryPreview> {
    const worker = await this.spawn({ kind: 'preview', driveId, options, outDir: '', driveKey: await exportDrivePrivateKey(key) });
    return new Promise<DeliveryPreview>((resolve, reject) => {
      let outcome: JobWorkerMessage | undefined;
      worker.on('message', (message: JobWorkerMessage) => (outcome = message));
      worker.on('error', () => undefined);
      worker.once('exit', () => {
        if (outcome?.type === 'preview') return resolve(outcome.preview);
        if (outcome?.type === 'failed') this.config.log?.error({ err: { name: outcome.name, frames: outcome.frames } }, 'delivery preview failed');
        reject(new PreviewFailed(outcome?.type === 'failed' ? outcome.message : undefined));
      });
    });
  }

  /** The worker of a running build (tests stop it halfway). */
  workerOf(deliveryId: string): Worker | undefined {
    return this.running.get(deliveryId)?.worker;
  }

  /** Resolves once the build has ended, done or failed, and its row says so. */
  async settled(deliveryId: string): Promise<void> {
    await this.running.get(deliveryId)?.settled;
  }

  private follow(id: string, worker: Worker, temp: string, request: StartRequest): Promise<void> {
    const { db } = this.config;
    let latest: Extract<JobWorkerMessage, { type: 'progress' }>['progress'] | undefined;
    let written = 0;
    let writing: Promise<void> = Promise.resolve();
    let unwritten = false;
    const write = () => {
      const p = latest;
      written = Date.now();
      unwritten = false;
      writing = writing
        .then(() => (p ? recordProgress(db, id, p) : touchDelivery(db, id)))
        .catch((e: unknown) => this.config.log?.error({ err: e }, 'delivery progress not recorded'));
    };
    const heartbeat = setInterval(write, HEARTBEAT_MS);
    let outcome: JobWorkerMessage | undefined;

    return new Promise<void>((resolve) => {
      worker.on('message', (message: JobWorkerMessage) => {
        if (message.type === 'progress') {
          latest = message.progress;
          unwritten = true;
          if (Date.now() - written >= PROGRESS_WRITE_MS) write();
        } else {
          outcome = message;
        }
      });
      worker.on('error', (e) =>
        this.config.log?.error({ err: { name: e.name, stack: (e.stack ?? '').split('\n').slice(1).join('\n') } }, 'delivery worker crashed'),
      );
      worker.once('exit', () => {
        clearInterval(heartbeat);
        // The last progress, throttled away, is still the build's last word on how far it got.
        if (unwritten) write();
        void writing
          .then(() => this.conclude(id, temp, request, outcome))
          .catch((e: unknown) => this.config.log?.error({ err: e }, 'delivery not concluded'))
          .finally(() => {
            this.running.delete(id);
            resolve();
          });
      });
    });
  }

  private async conclude(id: string, temp: string, request: StartRequest, outcome: JobWorkerMessage | undefined): Promise<void> {
    const { db } = this.config;
    if (outcome?.type !== 'done') {
      rmSync(temp, { recursive: true, force: true });
      if (outcome?.type === 'failed') this.config.log?.error({ err: { name: outcome.name, frames: outcome.frames } }, 'delivery build failed');
      const why =
        outcome?.type !== 'failed'
          ? 'The build stopped before it finished (its worker ended). Build it again.'
          : (outcome.message ?? `The build failed (${outcome.name}). Try again; if it fails again, the server's log says where.`);
      await failDelivery(db, id, why);
      return;
    }
    const { result } = outcome;
    try {
      await sealDeliveryFiles(db, request.driveId, id, temp, [...result.packages.map((p) => fileName(p.file)), fileName(result.reportFile)]);
    } catch (e) {
      rmSync(temp, { recursive: true, force: true });
      this.config.log?.error({ err: { name: (e as Error).name } }, 'sealing a delivery failed');
      await failDelivery(db, id, 'The finished files could not be sealed to the drive key. Build it again.');
      return;
    }
    renameSync(temp, this.folderOf(id));
    await finishDelivery(db, id, {
      counts: { ...result.counts, excluded: result.excluded },
      signatures: result.packages.reduce((sum, p) => sum + p.signatures, 0),
      packages: result.packages.map((p) => ({ ...p, file: fileName(p.file) })),
      reportFile: fileName(result.reportFile),
    });
    await recordSignerDataRelease(db, {
      action: 'delivery_built',
      account: request.account,
      driveId: request.driveId,
      deliveryId: id,
      signers: result.packages.reduce((sum, p) => sum + p.signatures, 0),
      address: request.address,
      userAgent: request.userAgent,
    });
  }

  /** Rows of builds that died are marked failed, and the files they left are removed. */
  async failAbandoned(): Promise<void> {
    const dead = await failAbandonedDeliveries(this.config.db, deadBuilderOnThisHost(this.running));
    for (const id of dead) {
      rmSync(join(this.config.dir, `${TEMP_PREFIX}${id}`), { recursive: true, force: true });
      rmSync(this.folderOf(id), { recursive: true, force: true });
    }
  }

  /**
   * On start: fail what a killed process left building, and remove every folder that is not a
   * finished delivery (temp folders; a folder renamed just before the process died).
   */
  async recover(): Promise<void> {
    await this.failAbandoned();
    if (!existsSync(this.config.dir)) return;
    const rows = await this.config.db.selectFrom('deliveries').select(['id', 'state']).execute();
    const state = new Map(rows.map((r) => [r.id, r.state]));
    for (const name of readdirSync(this.config.dir)) {
      const id = name.startsWith(TEMP_PREFIX) ? name.slice(TEMP_PREFIX.length) : name;
      const keep = name.startsWith(TEMP_PREFIX) ? state.get(id) === 'building' && this.running.has(id) : state.get(id) === 'done';
      // Another instance's building temp folder on a shared disk is not ours to remove.
      const othersBuild = name.startsWith(TEMP_PREFIX) && state.get(id) === 'building' && !this.running.has(id);
      if (!keep && !othersBuild) rmSync(join(this.config.dir, name), { recursive: true, force: true });
    }
  }

  /** Server closing: stop every build; each ends failed, its files removed. */
  async close(): Promise<void> {
    const all = [...this.running.values()];
    await Promise.all(all.map((r) => r.worker.terminate()));
    await Promise.all(all.map((r) => r.settled));
  }
}

/** A preview that did not come back; `message` only when it is written for the organizer. */
export class PreviewFailed extends Error {
  override name = 'PreviewFailed';
  constructor(readonly organizerMessage: string | undefined) {
    super(organizerMessage ?? 'the delivery preview failed');
  }
}

/**
 * Seal a finished build's files to the drive's key before they are put in place: at rest, a delivery
 * opens only with the organizer's unlocked key (sealed-file.ts). Each file's key is bound to the
 * drive, the delivery and the file's name.
 */
async function sealDeliveryFiles(db: Kysely<Database>, driveId: string, deliveryId: string, folder: string, files: readonly string[]): Promise<void> {
  const sealKey = await sealKeyOf(db, driveId);
  if (!sealKey) throw new Error(`drive ${driveId} has no key`);
  const publicKey = await importDrivePublicKey(sealKey);
  for (const file of files) await sealFileInPlace(join(folder, file), publicKey, deliveryFileContext(driveId, deliveryId, file));
}

/** What a delivery file's key is bound to: its drive, its delivery and its name. */
export function deliveryFileContext(driveId: string, deliveryId: string, file: string): SealContext {
  return { driveId, recordId: `delivery/${deliveryId}/${file}` };
}

/** buildDelivery answers with paths inside outDir; the folder is renamed, so keep the names only. */
function fileName(path: string): string {
  return path.split(/[\\/]/).pop()!;
}
