// A finished delivery stays on the server's disk until the campaign downloads it again: it is the
// drive's signer list, so at rest it is sealed like a record. Each file gets its own random AES-256
// key; the key is sealed to the drive's public key (HPKE, src/shared/signer-seal.ts) and kept in the
// file's header; the content follows in authenticated chunks. Only the organizer's unlocked drive
// key opens it, so a copy of the data folder holds no signer (tests/server/copied-server.test.ts).
//
// Layout: "FPSF1\n" ‖ u16 length of the sealed key ‖ sealed key (base64url text) ‖ u64 plaintext
// bytes ‖ chunks of AES-256-GCM(64 KiB plaintext) ‖ tag, nonce = 4 zero bytes ‖ u64 chunk index,
// associated data = one byte, 1 on the last chunk — so a reordered, dropped or cut chunk fails.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, unlinkSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import { openText, sealText, type SealContext } from '../../shared/signer-seal';

const MAGIC = Buffer.from('FPSF1\n', 'latin1');
export const SEALED_FILE_SUFFIX = '.sealed';
const CHUNK = 64 * 1024;
const TAG = 16;
const KEY_BYTES = 32;

export class SealedFileError extends Error {
  override name = 'SealedFileError';
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeBigUInt64BE(BigInt(index), 4);
  return n;
}

function sealChunk(key: Buffer, index: number, plain: Buffer, last: boolean): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce(index));
  cipher.setAAD(Buffer.of(last ? 1 : 0));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

function openChunk(key: Buffer, index: number, sealed: Buffer, last: boolean): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, nonce(index));
  decipher.setAAD(Buffer.of(last ? 1 : 0));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new SealedFileError('The sealed file was changed or cut short.');
  }
}

/**
 * Seals `path` into `path + .sealed` for the drive's public key and removes the clear file; returns
 * the sealed file's path. `context` binds the file's key to the drive and this file (e.g.
 * `{ driveId, recordId: 'delivery/<id>/<file name>' }`).
 */
export async function sealFileInPlace(path: string, publicKey: CryptoKey, context: SealContext): Promise<string> {
  const key = randomBytes(KEY_BYTES);
  const sealedKey = Buffer.from(await sealText(publicKey, key.toString('hex'), context), 'latin1');
  const size = statSync(path).size;
  const target = path + SEALED_FILE_SUFFIX;
  const out = createWriteStream(target, { flags: 'wx' });
  const header = Buffer.alloc(MAGIC.length + 2 + sealedKey.length + 8);
  MAGIC.copy(header, 0);
  header.writeUInt16BE(sealedKey.length, MAGIC.length);
  sealedKey.copy(header, MAGIC.length + 2);
  header.writeBigUInt64BE(BigInt(size), MAGIC.length + 2 + sealedKey.length);
  out.write(header);
  let index = 0;
  let done = 0;
  let pending: Buffer = Buffer.alloc(0);
  for await (const piece of createReadStream(path, { highWaterMark: CHUNK })) {
    pending = pending.length ? Buffer.concat([pending, piece as Buffer]) : (piece as Buffer);
    while (pending.length >= CHUNK && done + CHUNK < size) {
      if (!out.write(sealChunk(key, index++, pending.subarray(0, CHUNK), false))) await new Promise<void>((r) => out.once('drain', () => r()));
      done += CHUNK;
      pending = pending.subarray(CHUNK);
    }
  }
  if (done + pending.length !== size) throw new SealedFileError('The file changed while it was being sealed.');
  out.end(sealChunk(key, index, pending, true));
  await finished(out);
  key.fill(0);
  unlinkSync(path);
  return target;
}

interface Header {
  sealedKey: string;
  size: number;
  start: number;
}

function readHeader(path: string): Header {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(MAGIC.length + 2);
    if (readSync(fd, head, 0, head.length, 0) !== head.length || !head.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new SealedFileError('This is not a sealed delivery file.');
    }
    const keyLength = head.readUInt16BE(MAGIC.length);
    const rest = Buffer.alloc(keyLength + 8);
    if (readSync(fd, rest, 0, rest.length, head.length) !== rest.length) throw new SealedFileError('The sealed file was cut short.');
    return { sealedKey: rest.subarray(0, keyLength).toString('latin1'), size: Number(rest.readBigUInt64BE(keyLength)), start: head.length + rest.length };
  } finally {
    closeSync(fd);
  }
}

/** The clear size of a sealed file (for Content-Length), from its header. */
export function sealedFileSize(path: string): number {
  return readHeader(path).size;
}

/**
 * Opens a sealed file with the drive's unlocked private key: the key is checked before anything is
 * returned (a wrong drive or record throws), then the content streams chunk by chunk.
 */
export async function openSealedFile(path: string, privateKey: CryptoKey, context: SealContext): Promise<AsyncGenerator<Buffer>> {
  const header = readHeader(path);
  const key = Buffer.from(await openText(privateKey, header.sealedKey, context), 'hex');
  if (key.length !== KEY_BYTES) throw new SealedFileError('The sealed file key is malformed.');
  return (async function* chunks() {
    try {
      const total = header.size;
      const count = Math.max(1, Math.ceil(total / CHUNK));
      let index = 0;
      let pending: Buffer = Buffer.alloc(0);
      for await (const piece of createReadStream(path, { start: header.start, highWaterMark: CHUNK + TAG })) {
        pending = pending.length ? Buffer.concat([pending, piece as Buffer]) : (piece as Buffer);
        while (index < count - 1 && pending.length >= CHUNK + TAG) {
          yield openChunk(key, index++, pending.subarray(0, CHUNK + TAG), false);
          pending = pending.subarray(CHUNK + TAG);
        }
      }
      const lastPlain = total - (count - 1) * CHUNK;
      if (index !== count - 1 || pending.length !== lastPlain + TAG) throw new SealedFileError('The sealed file was changed or cut short.');
      yield openChunk(key, index, pending, true);
    } finally {
      key.fill(0);
    }
  })();
}
