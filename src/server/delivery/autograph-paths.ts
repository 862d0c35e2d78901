// An autograph as PDF path operators: its vector strokes, never a bitmap. One subpath per stroke
// (so the strokes can be counted back from the PDF): a stroked line of one width where the pen
// reported no pressure (a finger or mouse reports 0.5 throughout), else a filled outline whose
// width follows the pen's pressure, as the tablet drew it. Points closer than a fraction of a
// printed point to the last kept one are dropped: they change nothing on paper and cost bytes.
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
/** Drop a point nearer than this (in printed points) to the last one kept. */
const MIN_STEP = 0.45;

const n = (v: number) => {
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
};

/**
 * Content-stream operators drawing the autograph centred in `box` (top-left coordinates, as pdfkit's
 * page uses), scaled to fit its ink, wrapped in a `/Autograph` marked-content sequence. Returns the
 * operators and the stroke count.
 */
export function autographOperators(encoded: string, box: Box): { ops: string; strokes: number } {
  const autograph = decodeAutograph(encoded);
  const strokes = autograph.strokes.filter((s) => s.length > 0);
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
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
  const scale = Math.min(box.width / inkW, box.height / inkH);
  const ox = box.x + (box.width - inkW * scale) / 2 - minX * scale;
  const oy = box.y + (box.height - inkH * scale) / 2 - minY * scale;
  const out: string[] = ['/Autograph BMC q 0.08 0.12 0.38 rg 0.08 0.12 0.38 RG 1 J 1 j'];
  let width = -1;
  for (const stroke of strokes) {
    const pts = thin(stroke.map((p) => ({ x: ox + p.x * scale, y: oy + p.y * scale, pressure: p.pressure })));
    const even = stroke.every((p) => p.pressure === stroke[0]!.pressure);
    if (even) {
      if (width !== EVEN_WIDTH) out.push(`${EVEN_WIDTH} w`);
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

function thin(points: Pt[]): Pt[] {
  const kept: Pt[] = [points[0]!];
  for (let i = 1; i < points.length; i++) {
    const p = points[i]!;
    const last = kept[kept.length - 1]!;
    if (Math.hypot(p.x - last.x, p.y - last.y) >= MIN_STEP || i === points.length - 1) kept.push(p);
  }
  if (kept.length === 2 && Math.hypot(kept[1]!.x - kept[0]!.x, kept[1]!.y - kept[0]!.y) < MIN_STEP / 4) kept.pop();
  return kept;
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
  return `${left[0]} m ${left.slice(1).map((s) => `${s} l`).join(' ')} ${right.map((s) => `${s} l`).join(' ')} h`;
}

