// Reading a delivery back the way a recipient's tools would: a real ZIP reader (yauzl), a real PDF
// parser (pdfjs-dist) and a real CSV parser (csv-parse), plus a small BagIt (RFC 8493) validator.
import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import yauzl from 'yauzl';

/** Every entry of a ZIP, by name. */
export function readZip(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface Bag {
  root: string;
  files: Map<string, Buffer>;
  info: [string, string][];
}

/** The bag inside a ZIP (one top folder), or the reasons it is not a valid bag. */
export function validateBag(entries: Map<string, Buffer>): { bag: Bag; problems: string[] } {
  const problems: string[] = [];
  const roots = new Set([...entries.keys()].map((n) => n.split('/')[0]!));
  if (roots.size !== 1) problems.push(`expected one top folder, found ${[...roots].join(', ')}`);
  const root = [...roots][0]!;
  const files = new Map([...entries].filter(([n]) => !n.endsWith('/')).map(([n, b]) => [n.slice(root.length + 1), b]));
  const text = (name: string) => files.get(name)?.toString('utf8');
  if (text('bagit.txt') !== 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n') problems.push('bagit.txt is not a BagIt 1.0 declaration');
  const manifestLines = (name: string) =>
    (text(name) ?? '')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
        if (!m) problems.push(`${name}: bad line ${line}`);
        return m ? ([m[2]!, m[1]!] as const) : (['', ''] as const);
      });
  const payload = manifestLines('manifest-sha256.txt');
  if (payload.length === 0) problems.push('no manifest-sha256.txt');
  for (const [name, digest] of payload) {
    if (!name.startsWith('data/')) problems.push(`${name} in the payload manifest is outside data/`);
    const bytes = files.get(name);
    if (!bytes) problems.push(`${name} is in the manifest but not in the bag`);
    else if (sha256(bytes) !== digest) problems.push(`${name} does not match its checksum`);
  }
  const listed = new Set(payload.map(([n]) => n));
  for (const name of files.keys()) if (name.startsWith('data/') && !listed.has(name)) problems.push(`${name} is in data/ but not in the manifest`);
  for (const [name, digest] of manifestLines('tagmanifest-sha256.txt')) {
    const bytes = files.get(name);
    if (!bytes) problems.push(`${name} is in the tag manifest but not in the bag`);
    else if (sha256(bytes) !== digest) problems.push(`tag file ${name} does not match its checksum`);
  }
  const info: [string, string][] = [];
  for (const line of (text('bag-info.txt') ?? '').split('\n')) {
    if (!line) continue;
    if (/^\s/.test(line) && info.length) info[info.length - 1]![1] += `\n${line.trim()}`;
    else {
      const m = /^([^:]+): (.*)$/.exec(line);
      if (m) info.push([m[1]!, m[2]!]);
      else problems.push(`bag-info.txt: bad line ${line}`);
    }
  }
  const oxum = info.find(([k]) => k === 'Payload-Oxum')?.[1];
  const payloadFiles = [...files].filter(([n]) => n.startsWith('data/'));
  const expected = `${payloadFiles.reduce((n, [, b]) => n + b.length, 0)}.${payloadFiles.length}`;
  if (oxum !== expected) problems.push(`Payload-Oxum ${oxum} is not ${expected}`);
  return { bag: { root, files, info }, problems };
}

export function parseCsv(bytes: Buffer): Record<string, string>[] {
  if (bytes[0] !== 0xef || bytes[1] !== 0xbb || bytes[2] !== 0xbf) throw new Error('no UTF-8 byte-order mark');
  return parse(bytes, { bom: true, columns: true, record_delimiter: '\r\n' }) as Record<string, string>[];
}

export interface PdfPage {
  text: string[];
  /** Per `/Autograph` marked sequence, in order: how many subpaths (moveto) it draws. */
  autographs: number[];
  /** Whether the page paints any image. */
  images: number;
}

// pdfjs's path data: an operator code followed by its coordinates.
const DRAW_ARGS: Record<number, number> = { 0: 2, 1: 2, 2: 6, 3: 4, 4: 0 };

export async function readPdf(bytes: Buffer): Promise<PdfPage[]> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: PdfPage[] = [];
  const { OPS } = pdfjs;
  for (let p = 1; p <= doc.numPages; p++) {
    const page = await doc.getPage(p);
    const content = await page.getTextContent();
    const text = content.items.map((i) => ('str' in i ? i.str : '')).filter(Boolean);
    const ops = await page.getOperatorList();
    const autographs: number[] = [];
    let inside = false;
    let images = 0;
    for (let i = 0; i < ops.fnArray.length; i++) {
      const fn = ops.fnArray[i];
      const args = ops.argsArray[i] as unknown[];
      if (fn === OPS.beginMarkedContent && (args[0] as { name?: string } | undefined)?.name === 'Autograph') {
        inside = true;
        autographs.push(0);
      } else if (fn === OPS.endMarkedContent) inside = false;
      else if (fn === OPS.paintImageXObject || fn === OPS.paintInlineImageXObject || fn === OPS.paintImageMaskXObject) images++;
      else if (fn === OPS.constructPath && inside) {
        const data = (args[1] as ArrayLike<number>[])[0]!;
        let n = 0;
        for (let k = 0; k < data.length; k += 1 + DRAW_ARGS[data[k]!]!) if (data[k] === 0) n++;
        autographs[autographs.length - 1]! += n;
      }
    }
    pages.push({ text, autographs, images });
  }
  await doc.destroy();
  return pages;
}
