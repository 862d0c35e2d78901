import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, digestOf, sha256Hex } from '../../src/shared/digest';
import { digestMatches, withDigest } from '../../src/shared/record';
import { sampleContent } from '../support/records';

const fields = { deviceId: 'd1', driveId: 'drive1', petitionVersion: 'a'.repeat(64), seq: 1 };

describe('digests', () => {
  it('do not depend on key order', async () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x'], c: null } })).toBe('{"a":{"c":null,"d":[1,"x"]},"b":1}');
    expect(await digestOf({ a: 1, b: 2 })).toBe(await digestOf({ b: 2, a: 1 }));
  });

  it('write every string, and every key, exactly as JSON.stringify does: quotes, backslashes, control characters, lone surrogates', () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
      fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '\ud800', '\udc00', 'é', 'a'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(text, (s) => {
        expect(canonicalJson(s)).toBe(JSON.stringify(s));
        expect(canonicalJson({ [s]: s })).toBe(`{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('are SHA-256 of the canonical text', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('leave out undefined members, as JSON on the wire does', async () => {
    expect(await digestOf({ a: 1, email: undefined })).toBe(await digestOf(JSON.parse(JSON.stringify({ a: 1, email: undefined }))));
  });

  it('catch any change to a sealed record', async () => {
    const record = await withDigest(await sampleContent(fields));
    expect(await digestMatches(record)).toBe(true);
    expect(await digestMatches({ ...record, place: { ...record.place, city: 'Dayton' } })).toBe(false);
    const other = await sampleContent(fields);
    expect(await digestMatches({ ...record, sealed: other.sealed })).toBe(false);
    expect(await digestMatches(JSON.parse(JSON.stringify(record)))).toBe(true);
  });
});
