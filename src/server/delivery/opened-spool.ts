// Each record is opened once per build. Opening is most of a build's CPU (an ECDH per record: Node's
// computeSecret checks our own key pair each time, three point multiplications), and the sheets need
// the rows a second time, after the selection has counted every page. So the selection pass keeps here
// what the sheets need of each row it may deliver, and the sheets read it back instead of opening the
// records again (tests/bench/delivery.bench.ts: delivery_25k_s).
//
// Nothing opened reaches the disk in clear: the rows go into one temporary file in AES-256-GCM chunks
// under a random key that lives only in this object (the worker's memory), so the file is unreadable
// once the build ends, however it ends; the build removes it when done or failed, and the job runner
// removes a killed build's whole temp folder. Memory holds at most one pending chunk per group (a
// package's petition version) and the chunks' offsets, never the rows: bounded whatever the drive's size.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { open, rm, type FileHandle } from 'node:fs/promises';
import type { SignatureRow } from './signature-rows';

/** Characters of rows per chunk: about 45 rows with their autographs, 32–96 KiB of UTF-8. */
const CHUNK_CHARS = 32 * 1024;
const KEY_BYTES = 32;
const TAG_BYTES = 16;

interface Chunk {
  offset: number;
  length: number;
  /** The nonce's counter: unique across the file. */
  index: number;
}

interface Group {
  pending: string[];
  pendingChars: number;
  chunks: Chunk[];
}

/** What the sheets and signatures.csv read of a delivered row, in a fixed order (no field names repeated per row). */
type Packed = [string, string, string, string, string, string, string, string, string, string, string | null, string, 0 | 1, string | undefined];

function pack(row: SignatureRow): Packed {
  return [
    row.id,
    row.petition_version,
    row.language,
    row.captured_at,
    row.given_name,
    row.family_name,
    row.street,
    row.city,
    row.state,
    row.zip,
    row.email,
    row.digest,
    row.assisted ? 1 : 0,
    row.autograph,
  ];
}

function unpack(p: Packed): SignatureRow {
  const [id, petition_version, language, captured_at, given_name, family_name, street, city, state, zip, email, digest, assisted, autograph] = p;
  return {
    id,
    petition_version,
    language,
    captured_at,
    given_name,
    family_name,
    street,
    city,
    state,
    zip,
    email,
    digest,
    assisted: assisted === 1,
    voided: false,
    void_reason: null,
    ...(autograph !== undefined && { autograph }),
    unreadable: null,
  };
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(index, 6, 6);
  return nonce;
}

/** Binds a chunk to its group and its place in it: a chunk moved, swapped or replayed does not open. */
const aadOf = (group: string, n: number) => Buffer.from(`${group}\n${n}`, 'utf8');

export class OpenedRowSpool {
  private readonly groups = new Map<string, Group>();
  private readonly key = randomBytes(KEY_BYTES);
  private size = 0;
  private chunks = 0;
  private closed = false;

  private constructor(
    private readonly path: string,
    private readonly file: FileHandle,
  ) {}

  /** A new spool file at `path` (which must not exist), readable and writable by this process only. */
  static async create(path: string): Promise<OpenedRowSpool> {
    return new OpenedRowSpool(path, await open(path, 'wx+', 0o600));
  }

  /** Keeps a row for `group`; rows come back in the order they were added. */
  async add(group: string, row: SignatureRow): Promise<void> {
    let g = this.groups.get(group);
    if (!g) this.groups.set(group, (g = { pending: [], pendingChars: 0, chunks: [] }));
    const line = JSON.stringify(pack(row));
    g.pending.push(line);
    g.pendingChars += line.length;
    if (g.pendingChars >= CHUNK_CHARS) await this.flush(group, g);
  }

  private async flush(group: string, g: Group): Promise<void> {
    if (g.pending.length === 0) return;
    const plain = Buffer.from(g.pending.join('\n'), 'utf8');
    g.pending = [];
    g.pendingChars = 0;
    const index = this.chunks++;
    const cipher = createCipheriv('aes-256-gcm', this.key, nonceOf(index));
    cipher.setAAD(aadOf(group, g.chunks.length));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    plain.fill(0);
    const offset = this.size;
    this.size += sealed.length;
    g.chunks.push({ offset, length: sealed.length, index });
    await this.file.write(sealed, 0, sealed.length, offset);
  }

  /** Writes what is pending; call once every row is added, before reading. */
  async finish(): Promise<void> {
    for (const [group, g] of this.groups) await this.flush(group, g);
  }

  /** The rows added for `group`, in order, a chunk at a time. */
  async *rows(group: string): AsyncGenerator<SignatureRow> {
    const g = this.groups.get(group);
    if (!g) return;
    if (g.pending.length > 0) throw new Error('The spool is read before it is finished.');
    // One read buffer for the whole group: fresh buffers per chunk are garbage outside V8's heap, collected late.
    let sealed = Buffer.allocUnsafe(0);
    for (const [n, chunk] of g.chunks.entries()) {
      if (sealed.length < chunk.length) sealed = Buffer.allocUnsafe(Math.max(chunk.length, 2 * sealed.length));
      const { bytesRead } = await this.file.read(sealed, 0, chunk.length, chunk.offset);
      if (bytesRead !== chunk.length) throw new Error('The spool file was cut short.');
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonceOf(chunk.index));
      decipher.setAAD(aadOf(group, n));
      decipher.setAuthTag(sealed.subarray(chunk.length - TAG_BYTES, chunk.length));
      let text: string;
      try {
        // GCM gives everything at update; final only checks the tag.
        const plain = decipher.update(sealed.subarray(0, chunk.length - TAG_BYTES));
        decipher.final();
        text = plain.toString('utf8');
        plain.fill(0);
      } catch {
        throw new Error('The spool file was changed during the build.');
      }
      for (const line of text.split('\n')) yield unpack(JSON.parse(line) as Packed);
    }
  }

  /** Closes and removes the file and forgets the key; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.key.fill(0);
    this.groups.clear();
    try {
      await this.file.close();
    } finally {
      await rm(this.path, { force: true });
    }
  }
}
