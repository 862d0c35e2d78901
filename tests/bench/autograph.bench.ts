// How small the autograph travels: our encoding over the realistic fixtures, against the points as
// JSON (what signature_pad's toData() gives) and against signature_pad's PNG of the same strokes.
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { autographFixtures } from '../fixtures/autographs';
import { median, type Bench } from './metric';
import { call, openBenchPage } from './support/bench-page';

const bench: Bench = async (log) => {
  const fixtures = autographFixtures();
  const ours = fixtures.map((a) => encodeAutograph(a).length);
  const asJson = fixtures.map((a) => JSON.stringify(a.strokes).length);
  const points = fixtures.map((a) => a.strokes.reduce((n, s) => n + s.length, 0));
  log({
    metric: 'autograph_bytes_median',
    value: median(ours),
    unit: 'bytes',
    baseline: median(asJson),
    goal: '<= 1000',
    autographs: fixtures.length,
    min: Math.min(...ours),
    max: Math.max(...ours),
    points_median: median(points),
    text_bits_per_point: +((8 * ours.reduce((a, b) => a + b, 0)) / points.reduce((a, b) => a + b, 0)).toFixed(2),
    baseline_is: 'the points as JSON (signature_pad toData)',
  });

  // A current tablet: a 900×300 CSS-px pad at devicePixelRatio 2, so a 1800×600 canvas.
  const tablet = await openBenchPage({ deviceScaleFactor: 2 });
  try {
    const png: number[] = [];
    for (const a of fixtures) png.push(await call(tablet.page, 'pngDataUrlLength', a));
    const ratios = png.map((p, i) => p / ours[i]!);
    log({
      metric: 'autograph_png_ratio',
      value: +median(ratios).toFixed(1),
      unit: 'x',
      baseline: median(png),
      goal: '>= 30',
      autographs: fixtures.length,
      min: +Math.min(...ratios).toFixed(1),
      baseline_is: 'signature_pad PNG data URL bytes (median); value is the median of PNG ÷ ours per autograph',
    });
  } finally {
    await tablet.close();
  }
};
export default bench;
