// The server's two shortcuts when screening a record must say exactly what the shared code says: the
// hand-written check (fast-record-check.ts) accepts only what SignatureRecordSchema accepts, giving the
// same value, and the record's canonical text (record-digest.ts) is canonicalJson's, so the digest
// the tablet took is the digest the server checks. Shown on real sealed records and on generated ones,
// good and bad.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { acceptedRecord } from '../../src/server/batch/fast-record-check';
import { recordContentJson, recordDigestMatches } from '../../src/server/batch/record-digest';
import { screenRecord, type ScreeningContext } from '../../src/server/batch/screen-record';
import { canonicalJson, sha256Hex } from '../../src/shared/digest';
import { uuidv7 } from '../../src/shared/ids';
import { withDigest } from '../../src/shared/record';
import { check, MAX_SEALED_CHARS, recordContent, SignatureRecordSchema, type SignatureRecord } from '../../src/shared/schema';
import { US_STATES } from '../../src/shared/us-states';
import { sampleContent } from '../support/records';

const VERSION = 'b'.repeat(64);
const fields = { deviceId: 'device-1', driveId: 'drive-1', petitionVersion: VERSION };
let fixtures: SignatureRecord[] = [];

beforeAll(async () => {
  fixtures = [
    await withDigest(await sampleContent({ ...fields, seq: 1 })),
    await withDigest(await sampleContent({ ...fields, seq: 2 }, { assisted: { attestedBy: 'Sam Rivera' } })),
    await withDigest(await sampleContent({ ...fields, seq: 3 }, { volunteer: 'Zoë "Z" O\'Brien \\ 李小龙', place: { city: 'Cañon City', state: 'CO' } })),
    await withDigest(
      await sampleContent({ ...fields, seq: 4 }, { petition: { version: VERSION, language: 'zh-Hans' }, capturedAt: '2026-03-01T08:30:00.123+05:30' }),
    ),
    await withDigest(await sampleContent({ ...fields, seq: 9_007_199_254_740_991 }, { deviceId: 'd'.repeat(64), driveId: 'x' })),
  ];
});

/** A record as it arrives: JSON, so a copy no test can share state with. */
const wire = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')), minLength: n, maxLength: n });
const padded = (s: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom('', ' ', '\t', '\u00a0', '\u3000', '\n'), s, fc.constantFrom('', ' ', '\u2003', '\r\n')).map(([a, b, c]) => a + b + c);
const oddText = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({
    unit: fc.constantFrom('a', ' ', '"', '\\', '\u0000', '\u001f', '\u007f', '\u0085', '\u2028', '\u202e', '\u2066', '\ud800', 'é', '李'),
    maxLength: 110,
  }),
  fc.integer({ min: 0, max: 130 }).map((n) => 'a'.repeat(n)),
);
/** Each length limit, and one past it (64 for ids, 80 and 100 for names and cities), bare and padded. */
const atLimits = fc
  .tuple(fc.constantFrom(0, 1, 64, 65, 80, 81, 100, 101), fc.constantFrom('', ' '), fc.constantFrom('a', 'é', '"'))
  .map(([n, pad, c]) => pad + c.repeat(n) + pad);
const uuids = fc.constantFrom(uuidv7(), uuidv7().toUpperCase(), uuidv7().replace('-7', '-4'), uuidv7() + ' ', '');
const numbers = fc.oneof(fc.constantFrom(0, -1, 1, 1.5, 2 ** 53, -0, Number.MAX_SAFE_INTEGER, '1'), fc.double(), fc.integer());
const picks = fc.constantFrom(...US_STATES.slice(0, 5), 'oh', 'ZZ', 'en', 'es', 'zh-Hans', 'EN', 'zh');
const timestamps = fc.constantFrom(
  '2026-03-01T08:30:00Z',
  '2026-03-01T08:30:00.5-07:00',
  '2026-03-01T08:30:00.1234567891Z',
  '2026-13-01T08:30:00Z',
  '2026-03-01',
  '2026-03-01T08:30:00',
  '2026-03-01 08:30:00Z',
  ' 2026-03-01T08:30:00Z',
);
const hexes = fc.oneof(hex(63), hex(64), hex(65));
const sealedTexts = fc
  .tuple(fc.constantFrom(110, 109, 111, 2000, MAX_SEALED_CHARS, MAX_SEALED_CHARS + 1), fc.constantFrom('A', '-', '_', '=', '+', '/', ' ', '\n'))
  .map(([n, c]) => 'A'.repeat(n - 1) + c);
const names = fc.oneof(atLimits, oddText, padded(fc.constantFrom('Sam Rivera', 'Columbus', 'Zoë')));
/** Values of every JSON type. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  names,
  numbers,
  picks,
  fc.constantFrom(null, true, false, [], {}, ['a'], { attestedBy: 'Sam' }, { attestedBy: '  Sam  ' }, { attestedBy: 7 }),
  fc.jsonValue({ maxDepth: 2 }),
);
/** What each member is set to: mostly near misses of its own rule and good values, sometimes anything. */
const TARGETED: Record<string, fc.Arbitrary<unknown>> = {
  id: uuids,
  deviceId: fc.oneof(atLimits, oddText),
  seq: numbers,
  driveId: fc.oneof(atLimits, oddText),
  petition: fc.record({ version: fc.oneof(hex(64), fc.constant(VERSION)), language: fc.constantFrom('en', 'es', 'xx') }, { requiredKeys: [] }),
  'petition.version': hexes,
  'petition.language': picks,
  volunteer: names,
  capturedAt: timestamps,
  place: fc.record({ city: names, state: fc.constantFrom('OH', 'oh', 'XX') }, { requiredKeys: [] }),
  'place.city': names,
  'place.state': picks,
  assisted: fc.oneof(fc.record({ attestedBy: names }, { requiredKeys: [] }), fc.constantFrom(null, 'Sam', [])),
  'assisted.attestedBy': names,
  sealed: sealedTexts,
  digest: hexes,
  unknownMember: anyValue,
};
const PATHS = Object.keys(TARGETED);
/** One change: a member set to a value, or removed. */
const change = fc
  .constantFrom(...PATHS)
  .chain((path) =>
    fc.tuple(
      fc.constant(path),
      fc.option(fc.oneof({ arbitrary: TARGETED[path]!, weight: 4 }, { arbitrary: anyValue, weight: 1 }), { nil: undefined, freq: 8 }),
    ),
  );
const changes = (min: number) =>
  fc.oneof(
    { arbitrary: fc.array(change, { minLength: min, maxLength: 1 }), weight: 4 },
    { arbitrary: fc.array(change, { minLength: 2, maxLength: 3 }), weight: 1 },
  );

function changed(record: SignatureRecord, changes: [string, unknown][]): unknown {
  const out = wire(record) as Record<string, unknown>;
  for (const [path, value] of changes) {
    const [head, tail] = path.split('.') as [string, string | undefined];
    let target = out;
    if (tail) {
      if (typeof out[head] !== 'object' || out[head] === null) out[head] = {};
      target = out[head] as Record<string, unknown>;
    }
    const key = tail ?? head;
    if (value === undefined) delete target[key];
    else target[key] = value;
  }
  return wire(out);
}

const context = (): ScreeningContext => ({
  device: { id: fields.deviceId, driveId: fields.driveId } as ScreeningContext['device'],
  petitions: new Map([[VERSION, 'en' as const]]),
});

describe('screening a record by hand', () => {
  it('reads every fixture by hand, to the value the schema gives', () => {
    for (const record of fixtures) {
      const fast = acceptedRecord(wire(record));
      expect(fast).toBeDefined();
      const slow = check(SignatureRecordSchema, wire(record));
      expect(slow.ok && slow.value).toStrictEqual(fast);
      expect(fast).toStrictEqual(record);
    }
  });

  it('accepts only what the schema accepts, with the same value; everything else goes to the schema', () => {
    let byHand = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), changes(1), (which, changes) => {
        const raw = changed(fixtures[which]!, changes);
        const fast = acceptedRecord(raw);
        const slow = check(SignatureRecordSchema, raw);
        if (!slow.ok) refused++;
        if (fast === undefined) return;
        byHand++;
        expect(slow.ok).toBe(true);
        expect(fast).toStrictEqual(slow.ok && slow.value);
      }),
      { numRuns: 5000 },
    );
    // The generator made both kinds, and the shortcut was taken for good records it changed.
    expect(refused).toBeGreaterThan(2500);
    expect(byHand).toBeGreaterThan(200);
  });

  it('gives the same verdict, code, field and message as the schema alone, record by record', () => {
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), changes(0), (which, changes) => {
        const raw = changed(fixtures[which]!, changes);
        const screened = screenRecord(raw, context());
        const slow = check(SignatureRecordSchema, raw);
        if (!slow.ok) {
          expect(screened.accepted).toBe(false);
          const problem = slow.problems[0]!;
          expect(!screened.accepted && screened.result.reason).toStrictEqual({
            code: 'invalid_field',
            message: problem.message,
            ...(problem.field ? { field: problem.field } : {}),
          });
        } else if (screened.accepted) {
          expect(screened.record).toStrictEqual(slow.value);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("the server's canonical text of a record", () => {
  it('is canonicalJson of its content, for every fixture and every record the schema accepts', async () => {
    for (const record of fixtures) {
      expect(recordContentJson(record)).toBe(canonicalJson(recordContent(record)));
      expect(recordDigestMatches(record)).toBe(true);
      expect(await sha256Hex(recordContentJson(record))).toBe(record.digest);
    }
    let compared = 0;
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), changes(1), (which, changes) => {
        const checked = check(SignatureRecordSchema, changed(fixtures[which]!, changes));
        if (!checked.ok) return;
        compared++;
        expect(recordContentJson(checked.value)).toBe(canonicalJson(recordContent(checked.value)));
      }),
      { numRuns: 5000 },
    );
    expect(compared).toBeGreaterThan(200);
  });

  it('refuses a record changed after its digest was taken', () => {
    const [record] = fixtures;
    expect(recordDigestMatches({ ...record!, volunteer: 'Someone Else' })).toBe(false);
    expect(recordDigestMatches({ ...record!, place: { ...record!.place, city: 'Dayton' } })).toBe(false);
    expect(recordDigestMatches({ ...record!, seq: record!.seq + 1 })).toBe(false);
  });
});
