import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTOGRAPH_FORMAT, AutographFormatError, checkAutograph, decodeAutograph, encodeAutograph, type Autograph } from '../../src/shared/autograph-codec';
import { decodeBase64url, encodeBase64url } from '../../src/shared/base64url';
import { autographMutations, autographVerdict } from '../fixtures/autograph-mutations';
import { autographFixtures } from '../fixtures/autographs';
import { sampleAutograph } from '../support/records';

/** Decoded within half a pixel's rounding, to the millisecond (from the first point) and 1/100 of pressure. */
function expectFaithful(original: Autograph, decoded: Autograph): void {
  expect(decoded.width).toBe(original.width);
  expect(decoded.height).toBe(original.height);
  expect(decoded.pixelRatio).toBe(original.pixelRatio);
  expect(decoded.strokes.map((s) => s.length)).toEqual(original.strokes.map((s) => s.length));
  const t0 = Math.round(original.strokes[0]![0]!.time);
  original.strokes.forEach((stroke, s) =>
    stroke.forEach((p, i) => {
      const q = decoded.strokes[s]![i]!;
      expect(Math.abs(q.x - p.x)).toBeLessThanOrEqual(0.25 + 1e-9);
      expect(Math.abs(q.y - p.y)).toBeLessThanOrEqual(0.25 + 1e-9);
      expect(q.time).toBe(Math.round(p.time) - t0);
      expect(Math.abs(q.pressure - p.pressure)).toBeLessThanOrEqual(0.005 + 1e-9);
    }),
  );
}

describe('base64url', () => {
  it('round-trips every length and byte', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n * 11) % 256);
      const text = encodeBase64url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(decodeBase64url(text)).toEqual(bytes);
    }
  });
  it('refuses text that is not base64url', () => {
    expect(decodeBase64url('ab+c')).toBeNull();
    expect(decodeBase64url('abcde')).toBeNull();
  });
});

describe('the autograph encoding', () => {
  it('decodes to the same strokes, within half a pixel and to the millisecond', () => {
    const original = sampleAutograph(3);
    expectFaithful(original, decodeAutograph(encodeAutograph(original)));
  });

  it('decodes every realistic autograph of the fixtures faithfully, each in well under a kilobyte', () => {
    const fixtures = autographFixtures();
    expect(fixtures.length).toBeGreaterThanOrEqual(50);
    for (const original of fixtures) {
      const encoded = encodeAutograph(original);
      expectFaithful(original, decodeAutograph(encoded));
      expect(encoded.length).toBeLessThan(1100);
    }
  });

  it('is a stable fixed point: encoding the decoded autograph gives the same text', () => {
    for (const original of [sampleAutograph(5), ...autographFixtures()]) {
      const once = encodeAutograph(original);
      expect(encodeAutograph(decodeAutograph(once))).toBe(once);
    }
  });

  it('round-trips any strokes: far jumps, long pauses, clocks stepping back, pressure out of range', () => {
    const point = fc.record({
      x: fc.double({ min: -2000, max: 10000, noNaN: true }),
      y: fc.double({ min: -2000, max: 10000, noNaN: true }),
      time: fc.integer({ min: 0, max: 2 ** 40 }),
      pressure: fc.double({ min: -1, max: 2, noNaN: true }),
    });
    const autograph = fc.record({
      width: fc.integer({ min: 1, max: 8192 }),
      height: fc.integer({ min: 1, max: 8192 }),
      pixelRatio: fc.constantFrom(1, 1.5, 2, 3),
      strokes: fc.array(fc.array(point, { minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(autograph, (a) => {
        const once = encodeAutograph(a);
        const decoded = decodeAutograph(once);
        expect(decoded.strokes.map((s) => s.length)).toEqual(a.strokes.map((s) => s.length));
        a.strokes.forEach((stroke, s) =>
          stroke.forEach((p, i) => {
            const q = decoded.strokes[s]![i]!;
            expect(Math.abs(q.x - p.x)).toBeLessThanOrEqual(0.25 + 1e-9);
            expect(Math.abs(q.y - p.y)).toBeLessThanOrEqual(0.25 + 1e-9);
            expect(Math.abs(q.pressure - Math.min(1, Math.max(0, p.pressure)))).toBeLessThanOrEqual(0.005 + 1e-9);
            if (i > 0) expect(q.time).toBeGreaterThanOrEqual(decoded.strokes[s]![i - 1]!.time);
          }),
        );
        expect(encodeAutograph(decoded)).toBe(once);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps varying pressure and negative moves', () => {
    const a: Autograph = {
      width: 320,
      height: 200,
      pixelRatio: 3,
      strokes: [
        [
          { x: 300, y: 190, time: 10, pressure: 0.1 },
          { x: 2.5, y: 0, time: 25, pressure: 0.93 },
          { x: 150.5, y: 99.5, time: 40, pressure: 0 },
        ],
      ],
    };
    expect(decodeAutograph(encodeAutograph(a)).strokes[0]).toEqual([
      { x: 300, y: 190, time: 0, pressure: 0.1 },
      { x: 2.5, y: 0, time: 15, pressure: 0.93 },
      { x: 150.5, y: 99.5, time: 30, pressure: 0 },
    ]);
  });

  it('is far smaller than the points as JSON', () => {
    const a = sampleAutograph(1);
    expect(encodeAutograph(a).length * 4).toBeLessThan(JSON.stringify(a).length);
  });

  it('refuses garbled data with a format error, never a crash', () => {
    const good = encodeAutograph(sampleAutograph(1));
    for (const bad of ['', '!!!!', good.slice(0, good.length - 7), good + 'AAAA', 'Ag', '_____________']) {
      expect(() => decodeAutograph(bad)).toThrow(AutographFormatError);
    }
  });

  it('refuses the old format 1 by its version byte', () => {
    expect(AUTOGRAPH_FORMAT).toBe(2);
    expect(() => decodeAutograph(encodeBase64url(Uint8Array.of(1, 132, 7, 172, 2, 200, 1, 1, 1, 0, 0, 0, 0)))).toThrow(/unknown autograph format 1/);
  });

  it('answers random bytes after a valid header with a format error or a bounded autograph, never anything else', () => {
    const header = [AUTOGRAPH_FORMAT, 132, 7, 172, 2, 200, 1];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 250 }), fc.uint8Array({ maxLength: 3000 }), (strokes, body) => {
        const bytes = Uint8Array.from([...header, strokes, ...body]);
        try {
          const a = decodeAutograph(encodeBase64url(bytes));
          expect(a.strokes.reduce((n, s) => n + s.length, 0)).toBeLessThanOrEqual(20_000);
        } catch (e) {
          expect(e).toBeInstanceOf(AutographFormatError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('stops early on data that claims a flood of points', () => {
    // 200 strokes, each claiming 2^20 points: refused at the point limit, not after reading them all.
    const bytes = new Uint8Array(8 + 200 * 8).fill(0xff);
    bytes.set([AUTOGRAPH_FORMAT, 132, 7, 172, 2, 200, 1, 200]);
    expect(() => decodeAutograph(encodeBase64url(bytes))).toThrow(AutographFormatError);
  });
});

describe('checking an encoded autograph without drawing it', () => {
  /** The point count, or the refusal: what the server's check and the device's drawing must agree on. */
  function checked(encoded: string): number | string {
    try {
      return checkAutograph(encoded);
    } catch (e) {
      return `${(e as Error).name}: ${(e as Error).message}`;
    }
  }

  function decoded(encoded: string): number | string {
    const verdict = autographVerdict(encoded);
    return verdict.startsWith('ok ') ? Number(verdict.split(' ')[1]) : verdict;
  }

  it('counts the points decoding gives, and refuses what decoding refuses', () => {
    for (const a of autographFixtures()) {
      const encoded = encodeAutograph(a);
      expect(checkAutograph(encoded)).toBe(decodeAutograph(encoded).strokes.reduce((n, s) => n + s.length, 0));
      expect(() => checkAutograph(encoded.slice(0, -6))).toThrow(AutographFormatError);
    }
  });

  it('accepts and refuses garbled autographs exactly as the first format-2 decoder did, with the same points', () => {
    const pinned = JSON.parse(readFileSync(new URL('../fixtures/autograph-verdicts.json', import.meta.url), 'utf8')) as string[];
    const mutations = autographMutations();
    expect(mutations).toHaveLength(pinned.length);
    expect(mutations.map(autographVerdict)).toEqual(pinned);
    expect(mutations.map(checked)).toEqual(mutations.map(decoded));
  });

  it('agrees with decoding on any bytes changed in a real autograph', () => {
    const encodings = autographFixtures().map((a) => decodeBase64url(encodeAutograph(a))!);
    fc.assert(
      fc.property(
        fc.nat({ max: encodings.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        (which, changes, cut) => {
          const bytes = encodings[which]!.slice(0, Math.max(1, encodings[which]!.length - (cut % 3)));
          for (const [at, value] of changes) bytes[at % bytes.length] = value;
          const encoded = encodeBase64url(bytes);
          expect(checked(encoded)).toEqual(decoded(encoded));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
