// A drive worth delivering, sent over the real sync protocol by any poster (app.inject or fetch), so it
// works against the server process too: signers in several states and cities, accented and Chinese
// names, assisted signatures, a signer who signs again on another tablet, and a voided signature.
// Each record is sealed to the drive's key (enrolled.drive.sealKey), as a tablet seals it.
// (tests/support/delivery-drive.ts seeds straight into the database, for the large drives.)
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { uuidv7 } from '../../src/shared/ids';
import { PROTOCOL_VERSION, type EnrollResponse } from '../../src/shared/protocol';
import type { SignatureRecord, Signer } from '../../src/shared/schema';
import { sealedRecord } from './delivery-drive';
import { autographFixtures } from '../fixtures/autographs';

const GIVEN = ['Rosa', 'José', 'Zoë', 'Wei', 'Ana', 'Marcus', 'Amélie', 'Nguyễn', '李', 'Ruth', 'Søren', 'Ines'];
const FAMILY = ['Delgado', 'Peña', 'Okafor', '王', 'Lima', "O'Neil", 'Côté', 'Văn An', '小龙', 'Baker', 'Ørsted', 'Müller'];
const PLACES: Pick<Signer, 'city' | 'state' | 'zip'>[] = [
  { city: 'Columbus', state: 'OH', zip: '43215' },
  { city: 'Dayton', state: 'OH', zip: '45402' },
  { city: 'Austin', state: 'TX', zip: '78701' },
  { city: 'Springfield', state: 'IL', zip: '62701' },
];

const autographs = autographFixtures().map((a) => encodeAutograph(a));

/** Signer number n: a distinct person (name and street), in one of four cities. */
export function deliverySigner(n: number): Signer {
  const place = PLACES[n % PLACES.length]!;
  return {
    givenName: GIVEN[n % GIVEN.length]!,
    familyName: `${FAMILY[(n * 7) % FAMILY.length]!}`,
    street: `${100 + n} Maple Street`,
    ...place,
    email: `signer${n}@example.org`,
  };
}

export function deliveryRecord(enrolled: EnrollResponse, seq: number, signer: Signer, capturedAt: Date, assisted = false): Promise<SignatureRecord> {
  const petition = enrolled.drive.petitions[0]!;
  return sealedRecord(
    enrolled.drive.sealKey,
    {
      id: uuidv7(),
      deviceId: enrolled.deviceId,
      seq,
      driveId: enrolled.drive.id,
      petition: { version: petition.version, language: petition.language },
      volunteer: 'Sam Rivera',
      capturedAt: capturedAt.toISOString(),
      ...(assisted && { assisted: { attestedBy: 'Sam Rivera' } }),
    },
    { signer, autograph: autographs[seq % autographs.length]! },
  );
}

export type PostBatch = (token: string, body: unknown) => Promise<{ status: number; body: string }>;

export interface SeededDrive {
  /** Signatures held and not voided, counting the repeat. */
  held: number;
  voidedId: string;
  /** The repeat signer: the first signature (delivered) and the later one (excluded by default). */
  repeat: { first: string; later: string; name: string };
}

const BATCH = 500;

/**
 * `count` signers on tablet `a`; then on tablet `b` the signer of tablet a's record #1 signs again,
 * days later and with "St" for "Street", and one more signer whose signature tablet b voids.
 */
export async function seedDeliveryDrive(post: PostBatch, a: EnrollResponse, b: EnrollResponse, count: number): Promise<SeededDrive> {
  const start = Date.UTC(2026, 10, 2, 15);
  const firstIds: string[] = [];
  for (let from = 1; from <= count; from += BATCH) {
    const records: SignatureRecord[] = [];
    for (let seq = from; seq < Math.min(count + 1, from + BATCH); seq++) {
      records.push(await deliveryRecord(a, seq, deliverySigner(seq), new Date(start + seq * 60_000), seq % 10 === 3));
    }
    firstIds.push(...records.map((r) => r.id));
    await send(post, a.token, {
      protocol: PROTOCOL_VERSION,
      records,
      totals: { capturedThrough: from + records.length - 1, waiting: 0, appVersion: '0.1.0-test' },
    });
  }
  const again = { ...deliverySigner(1), street: '101 Maple St', email: undefined };
  delete again.email;
  const later = await deliveryRecord(b, 1, again, new Date(start + 5 * 86_400_000));
  const voided = await deliveryRecord(b, 2, deliverySigner(count + 1), new Date(start + 5 * 86_400_000 + 60_000));
  await send(post, b.token, {
    protocol: PROTOCOL_VERSION,
    records: [later, voided],
    voids: [{ id: voided.id, seq: 2, reason: 'Signed twice by mistake', voidedAt: new Date(start + 5 * 86_400_000 + 120_000).toISOString() }],
    totals: { capturedThrough: 2, waiting: 0, appVersion: '0.1.0-test' },
  });
  const first = deliverySigner(1);
  return { held: count + 1, voidedId: voided.id, repeat: { first: firstIds[0]!, later: later.id, name: `${first.givenName} ${first.familyName}` } };
}

async function send(post: PostBatch, token: string, body: unknown): Promise<void> {
  const answer = await post(token, body);
  if (answer.status !== 200) throw new Error(`batch refused: ${answer.status} ${answer.body}`);
  const parsed = JSON.parse(answer.body) as { results: { status: string }[]; voidResults?: { status: string }[] };
  const bad = [...parsed.results, ...(parsed.voidResults ?? [])].filter((r) => r.status !== 'stored' && r.status !== 'voided');
  if (bad.length) throw new Error(`batch not stored: ${JSON.stringify(bad[0])}`);
}
