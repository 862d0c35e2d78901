// The autograph's wire encoding: vector strokes, not a picture. A signature_pad PNG of the same
// strokes runs to tens of kilobytes; this runs to a few hundred bytes and can be drawn again at any size.
//
// Format 2. A header of LEB128 varints — format(=2) width height pixelRatio×100 strokeCount — then a
// bit stream (most significant bit first, zero-padded to a whole byte), then base64url of it all.
// Points are quantized to half a CSS pixel (a device pixel at devicePixelRatio 2), 1 ms and 1/100 of
// pressure, and each number is sent as its difference from a prediction:
//   per stroke: point count, 2 bits choosing how much of the pen's velocity to carry forward (0, ½,
//   ¾ or all of it), 1 bit "pressure is constant" (a finger or a mouse reports 0.5 throughout);
//   first point: Δx Δy from the previous stroke's last point, pen-up time, Δpressure;
//   every next point: x and y minus the prediction, the change of the sampling interval
//   (Δt − previous Δt: a digitizer samples at a steady rate), and Δpressure unless constant.
// Each kind of number has its own adaptive Golomb-Rice code (as in LOCO-I / JPEG-LS): the code
// length follows the recent size of that kind of number, so a steady hand costs a few bits a point.
import { decodeBase64urlInto, decodedLength, encodeBase64url } from './base64url';

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

export const AUTOGRAPH_FORMAT = 2;
/** Half a CSS pixel: a device pixel on a tablet at devicePixelRatio 2. */
const XY_STEPS_PER_PX = 2;
const PRESSURE_STEPS = 100;
/** Bounds that keep a hostile payload from costing the server more than a real autograph. */
export const AUTOGRAPH_LIMITS = { maxSide: 8192, maxStrokes: 200, maxPoints: 20_000, maxEncodedChars: 131_072 } as const;

/** Velocity carried into the next point's prediction, in quarters, chosen per stroke. */
const MOMENTUM_QUARTERS = [0, 2, 3, 4] as const;
/** Largest number a code can carry. */
const MAX_CODED = 2 ** 32 - 1;
/** Longest time step kept (~24 days): a longer pause is sent as this, so every time code fits. */
const MAX_TIME_STEP = 2 ** 31 - 1;
/** A Rice quotient this long switches to an explicit length and value: bounded work on garbage. */
const ESCAPE_QUOTIENT = 20;
const LENGTH_BITS = 5;

export class AutographFormatError extends Error {
  override name = 'AutographFormatError';
}

// ── bits ─────────────────────────────────────────────────────────────────────

class BitWriter {
  private buf = new Uint8Array(512);
  private byte = 0;
  private used = 0; // bits used in `byte`
  length = 0; // whole bytes in `buf`

  bit(b: number): void {
    this.byte = (this.byte << 1) | (b & 1);
    if (++this.used === 8) this.flushByte();
  }
  /** `count` low bits of n (n < 2^32), most significant first. */
  bits(n: number, count: number): void {
    if (count > 30) {
      this.bits(Math.floor(n / 65536), count - 16);
      this.bits(n % 65536, 16);
      return;
    }
    for (let i = count - 1; i >= 0; i--) this.bit((n >>> i) & 1);
  }
  /** Whole bytes, before any bit has been written. */
  varint(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new AutographFormatError(`cannot encode ${n}`);
    while (n >= 0x80) {
      this.pushByte((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.pushByte(n);
  }
  bytes(): Uint8Array {
    if (this.used > 0) {
      this.byte <<= 8 - this.used;
      this.flushByte();
    }
    return this.buf.slice(0, this.length);
  }
  private flushByte(): void {
    this.pushByte(this.byte);
    this.byte = 0;
    this.used = 0;
  }
  private pushByte(b: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = b;
  }
}

/** Zero bytes a BitReader needs after its data: a word read near the end stays inside the buffer. */
const WORD_PADDING = 4;

class BitReader {
  private pos = 0; // in bits
  private readonly end: number;
  /** `buf` holds `length` bytes of data, then WORD_PADDING zero bytes. */
  constructor(
    private readonly buf: Uint8Array,
    length: number,
  ) {
    this.end = length * 8;
  }

  bit(): number {
    if (this.pos >= this.end) throw new AutographFormatError('autograph data ends too early');
    const b = (this.buf[this.pos >> 3]! >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  /**
   * The 32 bits from byte `i` on (the padding reads as zeros), as a signed 32-bit integer: every
   * caller shifts it first anyway, and unsigned values from 2^31 up would be floating point.
   */
  private word(i: number): number {
    const b = this.buf;
    return (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
  }
  /** `count` bits (at most 32) as a number, most significant first. */
  bits(count: number): number {
    if (count === 0) return 0;
    if (count > 24) {
      const high = this.bits(count - 16);
      return high * 65536 + this.bits(16);
    }
    const pos = this.pos;
    if (pos + count > this.end) throw new AutographFormatError('autograph data ends too early');
    this.pos = pos + count;
    return ((this.word(pos >> 3) << (pos & 7)) >>> (32 - count)) >>> 0;
  }
  /** A run of 1 bits ended by a 0 (consumed), or `limit` (≤ 24) 1 bits (no 0 follows). */
  ones(limit: number): number {
    const pos = this.pos;
    // At least 25 bits of the stream at the top of a word; its leading ones are the run.
    const run = Math.clz32(~(this.word(pos >> 3) << (pos & 7)));
    const used = run >= limit ? limit : run + 1;
    if (pos + used > this.end) throw new AutographFormatError('autograph data ends too early');
    this.pos = pos + used;
    return run >= limit ? limit : run;
  }
  /**
   * A Rice-coded number with parameter k (see writeRice). Most numbers, quotient and remainder, lie
   * within one word: read it once (a third of the time the server spends checking an autograph).
   */
  rice(k: number): number {
    const pos = this.pos;
    const w = this.word(pos >> 3) << (pos & 7);
    const run = Math.clz32(~w);
    const used = run + 1 + k;
    // A word holds at least 25 bits of the stream from `pos` on.
    if (run < ESCAPE_QUOTIENT && used <= 25) {
      if (pos + used > this.end) throw new AutographFormatError('autograph data ends too early');
      this.pos = pos + used;
      // Below 2^25, so integer arithmetic throughout.
      return k === 0 ? run : (run << k) + ((w << (run + 1)) >>> (32 - k));
    }
    const q = this.ones(ESCAPE_QUOTIENT);
    // Integer arithmetic where it fits (q < 2^5, so below 2^31): a floating-point product kept in a
    // Rice context's sum makes that field a heap number, and every later number pays for it.
    if (q < ESCAPE_QUOTIENT) return k <= 26 ? (q << k) + this.bits(k) : q * POW2[k]! + this.bits(k);
    const length = this.bits(LENGTH_BITS + 1);
    if (length > 32) throw new AutographFormatError('autograph number too large');
    return this.bits(length);
  }
  varint(): number {
    let n = 0;
    let scale = 1;
    for (;;) {
      const b = this.bits(8);
      n += (b & 0x7f) * scale;
      if (b < 0x80) return n;
      scale *= 0x80;
      if (scale > 2 ** 49) throw new AutographFormatError('autograph number too large');
    }
  }
  /** True when only the zero padding of the last byte is left. */
  get done(): boolean {
    const total = this.end;
    if (total - this.pos >= 8) return false;
    while (this.pos < total) if (this.bit() !== 0) return false;
    return true;
  }
}

// ── adaptive Golomb-Rice codes ───────────────────────────────────────────────

const POW2 = Array.from({ length: 33 }, (_, i) => 2 ** i);

/** The running sum is capped (only garbage gets near it) so all of this stays in small integers. */
const MAX_SUM = 0x3fffffff;

/** One kind of number's recent size: the Rice parameter k follows the running mean. */
class RiceContext {
  private sum: number;
  private count = 1;
  /** The smallest k with count·2^k ≥ sum. */
  k = 0;
  constructor(initialMean: number) {
    this.sum = initialMean;
    this.fit();
  }
  update(u: number): void {
    this.sum = this.sum + u > MAX_SUM ? MAX_SUM : this.sum + u;
    // Halving keeps the mean recent: a stroke's slow start and fast middle each get their own code.
    if (++this.count >= 16) {
      this.sum >>= 1;
      this.count = 8;
    }
    this.fit();
  }
  private fit(): void {
    const { sum, count } = this;
    let k = this.k;
    while (count << k < sum) k++;
    while (k > 0 && count << (k - 1) >= sum) k--;
    this.k = k;
  }
}

const zigzag = (n: number): number => (n < 0 ? -2 * n - 1 : 2 * n);
/** In 32-bit integer arithmetic (u < 2^32): faster than dividing, and the same numbers. */
const unzigzag = (u: number): number => (u >>> 1) ^ -(u & 1);

function writeRice(w: BitWriter, ctx: RiceContext, u: number): void {
  if (!Number.isSafeInteger(u) || u < 0 || u > MAX_CODED) throw new AutographFormatError(`cannot encode ${u}`);
  const k = ctx.k;
  const q = Math.floor(u / POW2[k]!);
  if (q < ESCAPE_QUOTIENT) {
    for (let i = 0; i < q; i++) w.bit(1);
    w.bit(0);
    w.bits(u % POW2[k]!, k);
  } else {
    for (let i = 0; i < ESCAPE_QUOTIENT; i++) w.bit(1);
    const length = u === 0 ? 0 : Math.floor(Math.log2(u)) + 1;
    w.bits(length, LENGTH_BITS + 1);
    w.bits(u, length);
  }
  ctx.update(u);
}

function readRice(r: BitReader, ctx: RiceContext): number {
  const u = r.rice(ctx.k);
  ctx.update(u);
  return u;
}

/** The codes of one autograph, each starting from a typical size of its kind of number. */
function contexts() {
  return {
    count: new RiceContext(64),
    jump: [new RiceContext(100), new RiceContext(100)] as const,
    gap: new RiceContext(300),
    residual: [new RiceContext(4), new RiceContext(4)] as const,
    interval: new RiceContext(2),
    pressure: new RiceContext(2),
  };
}

// ── the autograph ────────────────────────────────────────────────────────────

function clampPressure(p: number): number {
  return Number.isFinite(p) ? Math.min(1, Math.max(0, p)) : 0.5;
}

function predict(prev: number, beforePrev: number, quarters: number): number {
  return prev + Math.floor(((prev - beforePrev) * quarters) / 4);
}

interface Quantized {
  x: number[];
  y: number[];
  t: number[];
  p: number[];
}

function quantize(stroke: readonly AutographPoint[]): Quantized {
  const q: Quantized = { x: [], y: [], t: [], p: [] };
  for (const point of stroke) {
    q.x.push(Math.round(point.x * XY_STEPS_PER_PX));
    q.y.push(Math.round(point.y * XY_STEPS_PER_PX));
    q.t.push(Math.round(point.time));
    q.p.push(Math.round(clampPressure(point.pressure) * PRESSURE_STEPS));
  }
  return q;
}

/** The momentum (index into MOMENTUM_QUARTERS) whose predictions miss this stroke by the least. */
function bestMomentum(q: Quantized): number {
  let best = 0;
  let bestCost = Infinity;
  MOMENTUM_QUARTERS.forEach((quarters, index) => {
    let cost = 0;
    for (let i = 2; i < q.x.length; i++) {
      cost += Math.abs(q.x[i]! - predict(q.x[i - 1]!, q.x[i - 2]!, quarters));
      cost += Math.abs(q.y[i]! - predict(q.y[i - 1]!, q.y[i - 2]!, quarters));
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = index;
    }
  });
  return best;
}

export function encodeAutograph(autograph: Autograph): string {
  const w = new BitWriter();
  w.varint(AUTOGRAPH_FORMAT);
  w.varint(Math.round(autograph.width));
  w.varint(Math.round(autograph.height));
  w.varint(Math.round(autograph.pixelRatio * 100));
  w.varint(autograph.strokes.length);
  const c = contexts();
  // The previous point and sampling interval, carried across strokes.
  let lastX = 0,
    lastY = 0,
    lastT: number | undefined,
    lastP = 0,
    lastInterval = 0;
  // A pause longer than MAX_TIME_STEP is sent as MAX_TIME_STEP; later times shift back by the difference.
  let timeShift = 0;
  for (const stroke of autograph.strokes) {
    const q = quantize(stroke);
    const n = q.x.length;
    writeRice(w, c.count, n);
    if (n === 0) continue;
    const momentum = bestMomentum(q);
    w.bits(momentum, 2);
    const constantPressure = q.p.every((p) => p === q.p[0]);
    w.bit(constantPressure ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const x = q.x[i]!,
        y = q.y[i]!,
        p = q.p[i]!;
      // Time only moves forward; a clock step backwards is stored as no time passing.
      let t = lastT === undefined ? q.t[i]! - timeShift : Math.max(lastT, q.t[i]! - timeShift);
      if (lastT !== undefined && t - lastT > MAX_TIME_STEP) {
        timeShift += t - lastT - MAX_TIME_STEP;
        t = lastT + MAX_TIME_STEP;
      }
      if (i === 0) {
        writeRice(w, c.jump[0], zigzag(x - lastX));
        writeRice(w, c.jump[1], zigzag(y - lastY));
        writeRice(w, c.gap, lastT === undefined ? 0 : t - lastT);
        writeRice(w, c.pressure, zigzag(p - lastP));
      } else {
        const quarters = i === 1 ? 0 : MOMENTUM_QUARTERS[momentum]!;
        writeRice(w, c.residual[0], zigzag(x - predict(lastX, q.x[i - 2] ?? lastX, quarters)));
        writeRice(w, c.residual[1], zigzag(y - predict(lastY, q.y[i - 2] ?? lastY, quarters)));
        const interval = t - lastT!;
        writeRice(w, c.interval, zigzag(interval - lastInterval));
        lastInterval = interval;
        if (!constantPressure) writeRice(w, c.pressure, zigzag(p - lastP));
      }
      lastT = t;
      lastX = x;
      lastY = y;
      lastP = p;
    }
  }
  return encodeBase64url(w.bytes());
}

export function decodeAutograph(encoded: string): Autograph {
  return readAutograph(encoded, true).autograph;
}

/**
 * Check an encoded autograph as decodeAutograph would, without building its points (the server
 * checks every record of every batch); returns its point count or throws AutographFormatError.
 */
export function checkAutograph(encoded: string): number {
  return readAutograph(encoded, false).points;
}

/**
 * The bytes of the autograph being read, reused from one autograph to the next (reading is
 * synchronous): allocating a buffer per autograph cost the server more than decoding it.
 */
let scratch = new Uint8Array(1024);

function bitsOf(encoded: string): BitReader {
  const needed = decodedLength(encoded) + WORD_PADDING;
  if (scratch.length < needed) scratch = new Uint8Array(Math.max(needed, scratch.length * 2));
  const length = decodeBase64urlInto(encoded, scratch);
  if (length < 0) throw new AutographFormatError('autograph data is not base64url');
  scratch.fill(0, length, length + WORD_PADDING);
  return new BitReader(scratch, length);
}

function readAutograph(encoded: string, keepPoints: boolean): { autograph: Autograph; points: number } {
  if (encoded.length > AUTOGRAPH_LIMITS.maxEncodedChars) throw new AutographFormatError('autograph data is too long');
  const r = bitsOf(encoded);
  const format = r.varint();
  if (format !== AUTOGRAPH_FORMAT) throw new AutographFormatError(`unknown autograph format ${format}`);
  const width = r.varint();
  const height = r.varint();
  const pixelRatio = r.varint() / 100;
  if (width < 1 || height < 1 || width > AUTOGRAPH_LIMITS.maxSide || height > AUTOGRAPH_LIMITS.maxSide) {
    throw new AutographFormatError('autograph pad size is out of range');
  }
  if (pixelRatio <= 0) throw new AutographFormatError('autograph pixel ratio is out of range');
  const strokeCount = r.varint();
  if (strokeCount > AUTOGRAPH_LIMITS.maxStrokes) throw new AutographFormatError('autograph has too many strokes');
  const c = contexts();
  const strokes: AutographPoint[][] = [];
  let x = 0,
    y = 0,
    t = 0,
    p = 0,
    interval = 0,
    total = 0;
  for (let s = 0; s < strokeCount; s++) {
    const count = readRice(r, c.count);
    total += count;
    if (total > AUTOGRAPH_LIMITS.maxPoints) throw new AutographFormatError('autograph has too many points');
    const stroke: AutographPoint[] = [];
    strokes.push(stroke);
    if (count === 0) continue;
    const momentum = MOMENTUM_QUARTERS[r.bits(2)]!;
    const constantPressure = r.bit() === 1;
    let beforeX = x,
      beforeY = y;
    for (let i = 0; i < count; i++) {
      let nx: number, ny: number;
      if (i === 0) {
        nx = x + unzigzag(readRice(r, c.jump[0]));
        ny = y + unzigzag(readRice(r, c.jump[1]));
        t += readRice(r, c.gap);
        p += unzigzag(readRice(r, c.pressure));
      } else {
        const quarters = i === 1 ? 0 : momentum;
        nx = predict(x, beforeX, quarters) + unzigzag(readRice(r, c.residual[0]));
        ny = predict(y, beforeY, quarters) + unzigzag(readRice(r, c.residual[1]));
        interval += unzigzag(readRice(r, c.interval));
        if (interval < 0) throw new AutographFormatError('autograph time runs backwards');
        t += interval;
        if (!constantPressure) p += unzigzag(readRice(r, c.pressure));
      }
      if (p < 0 || p > PRESSURE_STEPS) throw new AutographFormatError('autograph pressure is out of range');
      if (!Number.isSafeInteger(nx) || !Number.isSafeInteger(ny) || !Number.isSafeInteger(t)) {
        throw new AutographFormatError('autograph number too large');
      }
      beforeX = x;
      beforeY = y;
      x = nx;
      y = ny;
      if (keepPoints) stroke.push({ x: x / XY_STEPS_PER_PX, y: y / XY_STEPS_PER_PX, time: t, pressure: p / PRESSURE_STEPS });
    }
  }
  if (!r.done) throw new AutographFormatError('autograph data has trailing bytes');
  return { autograph: { width, height, pixelRatio, strokes }, points: total };
}

export function autographPointCount(autograph: Autograph): number {
  return autograph.strokes.reduce((n, s) => n + s.length, 0);
}
