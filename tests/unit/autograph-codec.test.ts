import { describe, expect, it } from 'vitest';
import { AutographFormatError, decodeAutograph, encodeAutograph, type Autograph } from '../../src/shared/autograph-codec';
import { decodeBase64url, encodeBase64url } from '../../src/shared/base64url';
import { sampleAutograph } from '../support/records';

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
    const decoded = decodeAutograph(encodeAutograph(original));
    expect(decoded.width).toBe(900);
    expect(decoded.height).toBe(300);
    expect(decoded.pixelRatio).toBe(2);
    expect(decoded.strokes.map((s) => s.length)).toEqual(original.strokes.map((s) => s.length));
    const t0 = original.strokes[0]![0]!.time;
    original.strokes.forEach((stroke, s) =>
      stroke.forEach((p, i) => {
        const q = decoded.strokes[s]![i]!;
        expect(Math.abs(q.x - p.x)).toBeLessThanOrEqual(0.25);
        expect(Math.abs(q.y - p.y)).toBeLessThanOrEqual(0.25);
        expect(q.time).toBe(p.time - t0);
        expect(Math.abs(q.pressure - p.pressure)).toBeLessThanOrEqual(0.005);
      }),
    );
  });

  it('is a stable fixed point: encoding the decoded autograph gives the same text', () => {
    const once = encodeAutograph(sampleAutograph(5));
    expect(encodeAutograph(decodeAutograph(once))).toBe(once);
  });

  it('keeps varying pressure and negative moves', () => {
    const a: Autograph = {
      width: 320, height: 200, pixelRatio: 3,
      strokes: [[{ x: 300, y: 190, time: 10, pressure: 0.1 }, { x: 2.5, y: 0, time: 25, pressure: 0.93 }, { x: 150.5, y: 99.5, time: 40, pressure: 0 }]],
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
});
