// The signer's autograph pad: signature_pad on a canvas sized for devicePixelRatio, whose strokes
// are the autograph (never its picture). Resizing or rotating clears a canvas, so the pad redraws
// from the strokes, scaled to the new size. A pen's pressure widens or narrows the line.
import SignaturePad, { type BasicPoint, type PointGroup } from 'signature_pad';
import type { Autograph, AutographPoint } from '../shared/autograph-codec';

const PEN = { penColor: '#0b1f4d', minWidth: 0.8, maxWidth: 2.8, dotSize: 1.5, velocityFilterWeight: 0.7 } as const;

export class AutographPad {
  private readonly pad: SignaturePad;
  private readonly observer: ResizeObserver;
  private size = { width: 0, height: 0 };
  private strokes: AutographPoint[][] = [];

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: (pad: AutographPad) => void = () => {},
  ) {
    this.pad = new SignaturePad(canvas, { ...PEN, backgroundColor: 'rgba(0,0,0,0)' });
    drawWithPressure(this.pad);
    this.pad.addEventListener('endStroke', this.strokeEnded);
    this.observer = new ResizeObserver(() => this.fit());
    this.observer.observe(canvas);
    this.fit();
  }

  get isEmpty(): boolean {
    return this.strokes.length === 0;
  }

  /** The strokes as drawn, in the pad's current CSS pixels (for the minimum-ink check). */
  get drawn(): readonly (readonly AutographPoint[])[] {
    return this.strokes;
  }

  /** The autograph as drawn, in the pad's current CSS size. */
  toAutograph(): Autograph {
    return {
      width: this.size.width,
      height: this.size.height,
      pixelRatio: window.devicePixelRatio || 1,
      strokes: this.strokes.map((s) => s.map((p) => ({ ...p }))),
    };
  }

  /** Show an autograph again (a restored draft), scaled to this pad. */
  load(autograph: Autograph): void {
    const scale = Math.min(this.size.width / autograph.width, this.size.height / autograph.height) || 1;
    this.strokes = autograph.strokes.map((s) => s.map((p) => ({ ...p, x: p.x * scale, y: p.y * scale })));
    this.redraw();
  }

  clear(): void {
    this.strokes = [];
    this.pad.clear();
    this.onChange(this);
  }

  undo(): void {
    this.strokes.pop();
    this.redraw();
    this.onChange(this);
  }

  destroy(): void {
    this.observer.disconnect();
    this.pad.removeEventListener('endStroke', this.strokeEnded);
    this.pad.off();
  }

  private readonly strokeEnded = (): void => {
    const groups = this.pad.toData();
    const last = groups[groups.length - 1];
    if (!last || last.points.length === 0) return;
    this.strokes.push(last.points.map((p) => ({ x: p.x, y: p.y, time: p.time, pressure: p.pressure })));
    this.onChange(this);
  };

  private fit(): void {
    const rect = this.canvas.getBoundingClientRect();
    const width = Math.round(rect.width);
    const height = Math.round(rect.height);
    if (width === 0 || height === 0) return; // hidden: keep the strokes for when it shows again
    if (width === this.size.width && height === this.size.height) return;
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    if (this.size.width > 0 && this.strokes.length > 0) {
      const scale = Math.min(width / this.size.width, height / this.size.height);
      this.strokes = this.strokes.map((s) => s.map((p) => ({ ...p, x: p.x * scale, y: p.y * scale })));
    }
    this.size = { width, height };
    this.canvas.width = width * ratio;
    this.canvas.height = height * ratio;
    this.canvas.getContext('2d')?.scale(ratio, ratio);
    this.redraw();
  }

  private redraw(): void {
    const groups: PointGroup[] = this.strokes.map((points) => ({
      ...PEN,
      compositeOperation: 'source-over',
      points: points.map((p) => ({ ...p })),
    }));
    this.pad.clear();
    if (groups.length > 0) this.pad.fromData(groups);
  }
}

/**
 * How much a point's pressure scales the line: 0.5, what a mouse or a finger reports on most screens,
 * leaves signature_pad's width as it is; a pen pressed hard draws up to half again as wide, a light
 * touch about half as wide. No pressure reported (0) leaves it as it is too.
 */
export function pressureWidthFactor(pressure: number): number {
  return pressure > 0 ? 0.5 + Math.min(pressure, 1) : 1;
}

interface WidthInternals {
  _calculateCurveWidths(start: BasicPoint, end: BasicPoint, options: unknown): unknown;
  _strokeWidth(velocity: number, options: unknown): number;
}

/**
 * signature_pad records each point's pressure but sets the width from speed alone. Its width step
 * (`_strokeWidth`) is given no point, so the curve step before it tells which point is being drawn.
 * The same hook serves a redraw from strokes (rotation, a restored draft), which passes through the
 * same steps with the stored pressure. Checked in tests/browser/volunteer-flow.test.ts.
 */
function drawWithPressure(pad: SignaturePad): void {
  const internals = pad as unknown as WidthInternals;
  if (typeof internals._calculateCurveWidths !== 'function' || typeof internals._strokeWidth !== 'function') return;
  const curveWidths = internals._calculateCurveWidths.bind(pad);
  const strokeWidth = internals._strokeWidth.bind(pad);
  let pressure = 0;
  internals._calculateCurveWidths = (start, end, options) => {
    pressure = end.pressure;
    return curveWidths(start, end, options);
  };
  internals._strokeWidth = (velocity, options) => strokeWidth(velocity, options) * pressureWidthFactor(pressure);
}
