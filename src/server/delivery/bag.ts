// The package as a BagIt bag (RFC 8493) in a ZIP: bagit.txt, bag-info.txt (with the Payload-Oxum and
// the delivery's figures), manifest-sha256.txt over the payload under data/, tagmanifest-sha256.txt
// over the tag files, and where a key is set a detached signature of the tag manifest. Files are
// hashed from disk and streamed into the ZIP (yazl, ZIP64 when needed): nothing is held whole.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import yazl from 'yazl';

export interface BagFile {
  /** Path inside the bag, e.g. `data/petition.pdf`. */
  name: string;
  /** Where it is on disk. */
  path: string;
}

/** Read through one buffer: a stream's fresh 64 KiB chunk per read left the sheets' size in garbage outside the heap, which V8 collects late. */
const HASH_BUFFER_BYTES = 1 << 20;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(HASH_BUFFER_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}

/** `Label: value` lines; a value's own line breaks become continuation lines (RFC 8493 §2.2.2). */
export function tagLines(fields: readonly (readonly [string, string | number])[]): string {
  return fields.map(([label, value]) => `${label}: ${String(value).replace(/\r\n|\r|\n/g, '\n  ')}\n`).join('');
}

export interface WrittenBag {
  /** Tag files written into `dir` (bagit.txt … and the signature), paths inside the bag. */
  tagFiles: BagFile[];
  payloadBytes: number;
}

/**
 * Write the tag files of a bag in `dir` whose payload files are already there. `info` is the
 * bag-info.txt fields after the Payload-Oxum; `sign` signs the tag manifest (returns the .sig path).
 */
export async function writeTagFiles(
  dir: string,
  payload: readonly BagFile[],
  info: readonly (readonly [string, string | number])[],
  sign?: (file: string) => Promise<string>,
): Promise<WrittenBag> {
  let bytes = 0;
  const manifest: string[] = [];
  for (const file of payload) {
    bytes += (await stat(file.path)).size;
    manifest.push(`${await sha256File(file.path)}  ${file.name}\n`);
  }
  const tags: BagFile[] = [];
  const writeTag = async (name: string, text: string) => {
    const path = join(dir, name);
    await writeFile(path, text, 'utf8');
    tags.push({ name, path });
  };
  await writeTag('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
  await writeTag('bag-info.txt', tagLines([['Payload-Oxum', `${bytes}.${payload.length}`], ...info]));
  await writeTag('manifest-sha256.txt', manifest.join(''));
  const tagManifest: string[] = [];
  for (const tag of tags) tagManifest.push(`${await sha256File(tag.path)}  ${tag.name}\n`);
  await writeTag('tagmanifest-sha256.txt', tagManifest.join(''));
  if (sign) {
    const sig = await sign(join(dir, 'tagmanifest-sha256.txt'));
    tags.push({ name: 'tagmanifest-sha256.txt.sig', path: sig });
  }
  return { tagFiles: tags, payloadBytes: bytes };
}

/** Stored (not deflated) entries are read through this many buffers of this size, each read into again once the ZIP file holds its bytes. */
const STORED_POOL = 4;
const STORED_CHUNK_BYTES = 256 * 1024;

/**
 * A stored file's bytes, read through a few reused buffers: a read stream's fresh chunk per read left
 * the sheets' whole size (60 MB at 100,000 signatures) in garbage outside V8's heap, which it collects
 * late (delivery_100k_peak_rss_mb). A buffer is read into again only once `written` says the ZIP file
 * has written it; stored entries pass yazl's streams as the same buffers.
 */
function pooledReadStream(path: string, written: Map<ArrayBufferLike, () => void>): Readable {
  const free = Array.from({ length: STORED_POOL }, () => Buffer.allocUnsafeSlow(STORED_CHUNK_BYTES));
  const waiting: (() => void)[] = [];
  let file: FileHandle | undefined;
  return new Readable({
    read() {
      void (async () => {
        try {
          file ??= await open(path, 'r');
          let buffer = free.pop();
          while (!buffer) {
            await new Promise<void>((resolve) => waiting.push(resolve));
            buffer = free.pop();
          }
          const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
          if (bytesRead === 0) {
            await file.close();
            this.push(null);
            return;
          }
          const taken = buffer;
          written.set(taken.buffer, () => {
            written.delete(taken.buffer);
            free.push(taken);
            waiting.shift()?.();
          });
          this.push(taken.subarray(0, bytesRead));
        } catch (e) {
          await file?.close().catch(() => undefined);
          this.destroy(e as Error);
        }
      })();
    },
  });
}

/** Zip the bag under the folder name `bagName`; returns the ZIP's SHA-256 and size. */
export async function zipBag(zipPath: string, bagName: string, files: readonly BagFile[], mtime: Date): Promise<{ sha256: string; bytes: number }> {
  const zip = new yazl.ZipFile();
  const written = new Map<ArrayBufferLike, () => void>();
  for (const file of files) {
    // PDFs are compressed inside already; deflating them again costs time for nothing.
    const stored = file.name.endsWith('.pdf');
    const name = `${bagName}/${file.name}`;
    if (stored) zip.addReadStream(pooledReadStream(file.path, written), name, { compress: false, mtime, size: (await stat(file.path)).size });
    else zip.addFile(file.path, name, { compress: true, mtime });
  }
  zip.end();
  const hash = createHash('sha256');
  let bytes = 0;
  const out = createWriteStream(zipPath);
  const output = zip.outputStream;
  output.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
    const release = written.get(chunk.buffer);
    if (!out.write(chunk, release && (() => release()))) {
      output.pause();
      out.once('drain', () => output.resume());
    }
  });
  output.once('end', () => out.end());
  output.once('error', (e) => out.destroy(e));
  await finished(out);
  return { sha256: hash.digest('hex'), bytes };
}
