// The autograph's wire encoding: vector strokes, not a picture. A signature_pad PNG of the same
// strokes runs to tens of kilobytes; this runs to about a kilobyte and can be drawn again at any size.
//
// Layout (all integers are LEB128 varints, signed ones zigzag-encoded), then base64url:
//   format(=1) width height pixelRatio×100 strokeCount
//   per stroke: pointCount, then per point: Δx Δy (half CSS pixels), Δt (ms), Δpressure (1/100)
// Deltas run across stroke boundaries, so the first point of a stroke costs no more than any other.
import { decodeBase64url, encodeBase64url } from './base64url';

export interface AutographPoint {
  /** CSS pixels from the pad's left edge. */
  x: number;
  /** CSS pixels from the pad's top edge. */
  y: number;
  /** Milliseconds; only differences matter (decoding starts at 0). */
  time: number;
  /** 0–1, as the pointer reported it (0.5 where it reports none). */
  pressure: number;
}

export interface Autograph {
  /** The pad's size in CSS pixels when the strokes were drawn. */
  width: number;
  height: number;
  pixelRatio: number;
  strokes: AutographPoint[][];
}

export const AUTOGRAPH_FORMAT = 1;
/** Half a CSS pixel: a device pixel on a tablet at devicePixelRatio 2. */
const XY_STEPS_PER_PX = 2;
const PRESSURE_STEPS = 100;
/** Bounds that keep a hostile payload from costing the server more than a real autograph. */
export const AUTOGRAPH_LIMITS = { maxSide: 8192, maxStrokes: 200, maxPoints: 20_000, maxEncodedChars: 131_072 } as const;

export class AutographFormatError extends Error {
  override name = 'AutographFormatError';
}

class Writer {
  private buf = new Uint8Array(1024);
  length = 0;
  uint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new AutographFormatError(`cannot encode ${n}`);
    if (this.length + 8 > this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    while (n >= 0x80) {
      this.buf[this.length++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.length++] = n;
  }
  int(n: number): void {
    this.uint(n < 0 ? -2 * n - 1 : 2 * n);
  }
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  uint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new AutographFormatError('autograph data ends too early');
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new AutographFormatError('autograph number too large');
    }
  }
  int(): number {
    const z = this.uint();
    return z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  }
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
}

function clampPressure(p: number): number {
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0.5;
}

export function encodeAutograph(autograph: Autograph): string {
  const w = new Writer();
  w.uint(AUTOGRAPH_FORMAT);
  w.uint(Math.round(autograph.width));
  w.uint(Math.round(autograph.height));
  w.uint(Math.round(autograph.pixelRatio * 100));
  w.uint(autograph.strokes.length);
  let px = 0, py = 0, pt = 0, pp = 0;
  let first = true;
  for (const stroke of autograph.strokes) {
    w.uint(stroke.length);
    for (const point of stroke) {
      const x = Math.round(point.x * XY_STEPS_PER_PX);
      const y = Math.round(point.y * XY_STEPS_PER_PX);
      const t = Math.round(point.time);
      const p = Math.round(clampPressure(point.pressure) * PRESSURE_STEPS);
      w.int(x - px);
      w.int(y - py);
      // Time only moves forward; a clock step backwards is stored as no time passing.
      w.uint(first ? 0 : Math.max(0, t - pt));
      w.int(p - pp);
      px = x; py = y; pp = p;
      pt = first ? t : Math.max(pt, t);
      first = false;
    }
  }
  return encodeBase64url(w.bytes());
}

export function decodeAutograph(encoded: string): Autograph {
  if (encoded.length > AUTOGRAPH_LIMITS.maxEncodedChars) throw new AutographFormatError('autograph data is too long');
  const bytes = decodeBase64url(encoded);
  if (!bytes) throw new AutographFormatError('autograph data is not base64url');
  const r = new Reader(bytes);
  const format = r.uint();
  if (format !== AUTOGRAPH_FORMAT) throw new AutographFormatError(`unknown autograph format ${format}`);
  const width = r.uint();
  const height = r.uint();
  const pixelRatio = r.uint() / 100;
  if (width < 1 || height < 1 || width > AUTOGRAPH_LIMITS.maxSide || height > AUTOGRAPH_LIMITS.maxSide) {
    throw new AutographFormatError('autograph pad size is out of range');
  }
  if (pixelRatio <= 0) throw new AutographFormatError('autograph pixel ratio is out of range');
  const strokeCount = r.uint();
  if (strokeCount > AUTOGRAPH_LIMITS.maxStrokes) throw new AutographFormatError('autograph has too many strokes');
  const strokes: AutographPoint[][] = [];
  let x = 0, y = 0, t = 0, p = 0, total = 0;
  for (let s = 0; s < strokeCount; s++) {
    const count = r.uint();
    total += count;
    if (total > AUTOGRAPH_LIMITS.maxPoints) throw new AutographFormatError('autograph has too many points');
    const stroke: AutographPoint[] = [];
    for (let i = 0; i < count; i++) {
      x += r.int();
      y += r.int();
      t += r.uint();
      p += r.int();
      stroke.push({ x: x / XY_STEPS_PER_PX, y: y / XY_STEPS_PER_PX, time: t, pressure: p / PRESSURE_STEPS });
    }
    strokes.push(stroke);
  }
  if (!r.done) throw new AutographFormatError('autograph data has trailing bytes');
  return { width, height, pixelRatio, strokes };
}

export function autographPointCount(autograph: Autograph): number {
  return autograph.strokes.reduce((n, s) => n + s.length, 0);
}
