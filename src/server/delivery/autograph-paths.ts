// An autograph as PDF path operators: its vector strokes, never a bitmap. One subpath per stroke
// (so the strokes can be counted back from the PDF): a stroked line of one width where the pen
// reported no pressure (a finger or mouse reports 0.5 throughout), else a filled outline whose
// width follows the pen's pressure, as the tablet drew it. Points that change nothing on paper are
// dropped (see thin): they cost bytes and time.
import { decodeAutograph } from '../../shared/autograph-codec';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Line width in points: a ballpoint's 0.8 pt for an even line; 0.35–1.2 pt with pressure. */
const EVEN_WIDTH = 0.8;
const widthAt = (pressure: number) => 0.35 + 1.15 * Math.min(1, Math.max(0, pressure));
/** A stroke shorter than this (in printed points) is a dot. */
const MIN_STEP = 0.45;
const TOLERANCE = 0.3;
const WIDTH_TOLERANCE = 0.1;
/** Points per CSS pixel at most: a 600 px wide autograph on the pad prints 2 inches wide. */
const MAX_SCALE = 0.24;

/** Coordinates are written in fifths of a point from the box's corner: whole numbers, 3 digits. */
const UNITS_PER_POINT = 5;
const n = (v: number) => String(Math.round(v * UNITS_PER_POINT) + 0);

/**
 * Content-stream operators drawing the autograph centred in `box` (top-left coordinates, as pdfkit's
 * page uses), scaled to fit its ink, wrapped in a `/Autograph` marked-content sequence. Returns the
 * operators and the stroke count.
 */
export function autographOperators(encoded: string, box: Box): { ops: string; strokes: number } {
  const autograph = decodeAutograph(encoded);
  const strokes = autograph.strokes.filter((s) => s.length > 0);
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const stroke of strokes)
    for (const p of stroke) {
      if (p.x < minX) minX = p.x;
      if (p.x > maxX) maxX = p.x;
      if (p.y < minY) minY = p.y;
      if (p.y > maxY) maxY = p.y;
    }
  if (strokes.length === 0) return { ops: '', strokes: 0 };
  const inkW = Math.max(1, maxX - minX);
  const inkH = Math.max(1, maxY - minY);
  // Fit the box, but never blow a small mark up past the size a pen would make it.
  const scale = Math.min(box.width / inkW, box.height / inkH, MAX_SCALE);
  const ox = (box.width - inkW * scale) / 2 - minX * scale;
  const oy = (box.height - inkH * scale) / 2 - minY * scale;
  const u = 1 / UNITS_PER_POINT;
  const out: string[] = [`/Autograph BMC q ${u} 0 0 ${u} ${box.x} ${box.y} cm 0.08 0.12 0.38 rg 0.08 0.12 0.38 RG 1 J 1 j`];
  let width = -1;
  for (const stroke of strokes) {
    const pts = thin(stroke.map((p) => ({ x: ox + p.x * scale, y: oy + p.y * scale, pressure: p.pressure })));
    const even = stroke.every((p) => p.pressure === stroke[0]!.pressure);
    if (even) {
      if (width !== EVEN_WIDTH) out.push(`${n(EVEN_WIDTH)} w`);
      width = EVEN_WIDTH;
      const first = pts[0]!;
      const line = [`${n(first.x)} ${n(first.y)} m`];
      if (pts.length === 1) line.push(`${n(first.x)} ${n(first.y)} l`);
      for (let i = 1; i < pts.length; i++) line.push(`${n(pts[i]!.x)} ${n(pts[i]!.y)} l`);
      out.push(`${line.join(' ')} S`);
    } else {
      out.push(`${outline(pts)} f`);
    }
  }
  out.push('Q EMC');
  return { ops: out.join('\n'), strokes: strokes.length };
}

type Pt = { x: number; y: number; pressure: number };

/**
 * Ramer–Douglas–Peucker: keep the points that move the line by more than TOLERANCE (0.3 of a
 * printed point), and where the width changes by more than a tenth of a point. The pen's samples
 * lie a point or two apart on paper; most of them change nothing a printer can show.
 */
function thin(all: Pt[]): Pt[] {
  // Samples nearer than a tenth of a point to the last one kept first (cheap), then RDP.
  const points: Pt[] = [all[0]!];
  for (let i = 1; i < all.length; i++) {
    const p = all[i]!;
    const last = points[points.length - 1]!;
    if (i === all.length - 1 || Math.abs(p.x - last.x) + Math.abs(p.y - last.y) >= 0.1) points.push(p);
  }
  if (points.length <= 2) {
    if (points.length === 2 && Math.hypot(points[1]!.x - points[0]!.x, points[1]!.y - points[0]!.y) < MIN_STEP / 4) return [points[0]!];
    return points;
  }
  const keep = new Uint8Array(points.length);
  keep[0] = 1;
  keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop()!;
    if (b - a < 2) continue;
    const pa = points[a]!;
    const pb = points[b]!;
    const dx = pb.x - pa.x;
    const dy = pb.y - pa.y;
    const len = Math.hypot(dx, dy);
    let worst = -1;
    let at = -1;
    for (let i = a + 1; i < b; i++) {
      const p = points[i]!;
      const off = len < 1e-6 ? Math.hypot(p.x - pa.x, p.y - pa.y) : Math.abs(dy * (p.x - pa.x) - dx * (p.y - pa.y)) / len;
      const t = len < 1e-6 ? 0 : Math.min(1, Math.max(0, ((p.x - pa.x) * dx + (p.y - pa.y) * dy) / (len * len)));
      const widthOff = Math.abs(widthAt(p.pressure) - widthAt(pa.pressure + (pb.pressure - pa.pressure) * t));
      const score = Math.max(off / TOLERANCE, widthOff / WIDTH_TOLERANCE);
      if (score > worst) {
        worst = score;
        at = i;
      }
    }
    if (worst > 1) {
      keep[at] = 1;
      stack.push([a, at], [at, b]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

/** One closed subpath around the stroke: the left edge forward, the right edge back. */
function outline(pts: Pt[]): string {
  if (pts.length === 1) {
    const p = pts[0]!;
    const r = widthAt(p.pressure) / 2;
    return `${n(p.x - r)} ${n(p.y - r)} m ${n(p.x + r)} ${n(p.y - r)} l ${n(p.x + r)} ${n(p.y + r)} l ${n(p.x - r)} ${n(p.y + r)} l h`;
  }
  const left: string[] = [];
  const right: string[] = [];
  for (let i = 0; i < pts.length; i++) {
    const prev = pts[Math.max(0, i - 1)]!;
    const next = pts[Math.min(pts.length - 1, i + 1)]!;
    let dx = next.x - prev.x;
    let dy = next.y - prev.y;
    const len = Math.hypot(dx, dy) || 1;
    dx /= len;
    dy /= len;
    const half = widthAt(pts[i]!.pressure) / 2;
    const p = pts[i]!;
    left.push(`${n(p.x - dy * half)} ${n(p.y + dx * half)}`);
    right.push(`${n(p.x + dy * half)} ${n(p.y - dx * half)}`);
  }
  right.reverse();
  return `${left[0]} m ${left
    .slice(1)
    .map((s) => `${s} l`)
    .join(' ')} ${right.map((s) => `${s} l`).join(' ')} h`;
}
