// Is there enough ink to be an autograph? A tap (a dot) or a single short or straight stroke is not;
// a volunteer would otherwise save a slip of the finger as a signature. Measured in CSS pixels on
// the strokes themselves, so it holds at any devicePixelRatio.
import type { AutographPoint } from '../shared/autograph-codec';

export const MIN_INK = {
  /** Total length of all strokes. */
  pathPx: 80,
  /** The ink's bounding box. */
  widthPx: 40,
  heightPx: 12,
  /** A lone stroke must wander this much farther than the straight line from its start to its end. */
  curl: 1.15,
} as const;

export type InkVerdict = 'ok' | 'empty' | 'too-little';

export function checkInk(strokes: readonly (readonly AutographPoint[])[]): InkVerdict {
  const points = strokes.flat();
  if (points.length === 0) return 'empty';
  let path = 0;
  for (const stroke of strokes) {
    for (let i = 1; i < stroke.length; i++) path += Math.hypot(stroke[i]!.x - stroke[i - 1]!.x, stroke[i]!.y - stroke[i - 1]!.y);
  }
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const width = Math.max(...xs) - Math.min(...xs);
  const height = Math.max(...ys) - Math.min(...ys);
  if (path < MIN_INK.pathPx || width < MIN_INK.widthPx || height < MIN_INK.heightPx) return 'too-little';
  const inked = strokes.filter((s) => s.length > 1);
  if (inked.length === 1) {
    const s = inked[0]!;
    const chord = Math.hypot(s[s.length - 1]!.x - s[0]!.x, s[s.length - 1]!.y - s[0]!.y);
    if (path < chord * MIN_INK.curl) return 'too-little'; // one straight line
  }
  return 'ok';
}
