// A drive with realistic signers for the delivery's tests, sample and benchmark: several states and
// cities, English, Spanish and Chinese names and texts, assisted signatures, repeat signers typed
// differently on other tablets, voids, and autographs from tests/fixtures/autographs.json. Records
// are built with the shared code the tablets use — details sealed to the drive's key, digest — and
// stored with the server's own insert; the build opens them with the drive's passphrase.
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { driveKeyOf } from '../../src/server/db/drive-keys';
import { createDrive } from '../../src/server/db/drives';
import type { Database } from '../../src/server/db/schema';
import { insertSignatures, markVoided } from '../../src/server/db/signatures';
import { unlockWithPassphrase } from '../../src/server/drive-keys';
import { encodeAutograph } from '../../src/shared/autograph-codec';
import { digestOfNow, useSha256Hex } from '../../src/shared/digest';
import { DEFAULT_TIME_ZONE } from '../../src/shared/local-day';
import { uuidv7 } from '../../src/shared/ids';
import type { Language } from '../../src/shared/protocol';
import type { SignatureContent, SignatureRecord, Signer, SignerDetails } from '../../src/shared/schema';
import { importDrivePublicKey, sealSignerDetails } from '../../src/shared/signer-seal';
import { autographFixtures } from '../fixtures/autographs';

useSha256Hex((text) => createHash('sha256').update(text, 'utf8').digest('hex'));

const PLACES = [
  { city: 'Columbus', state: 'OH', zip: '43215' },
  { city: 'Cleveland', state: 'OH', zip: '44113' },
  { city: 'Philadelphia', state: 'PA', zip: '19103' },
  { city: 'Pittsburgh', state: 'PA', zip: '15213' },
  { city: 'New York', state: 'NY', zip: '10002' },
  { city: 'Los Angeles', state: 'CA', zip: '90012' },
  { city: 'San Antonio', state: 'TX', zip: '78205' },
] as const;

const NAMES: readonly (readonly [string, string, Language])[] = [
  ['Rosa', 'Delgado', 'en'],
  ['Ada', 'Okafor', 'en'],
  ['James', 'O’Brien', 'en'],
  ['Mary-Kate', 'Smith', 'en'],
  ['Zoë', 'Brontë', 'en'],
  ['Thomas', 'Müller', 'en'],
  ['Chloé', 'Lefèvre', 'en'],
  ['Dmitri', 'Ivanov', 'en'],
  ['José', 'García', 'es'],
  ['María', 'Fernández Núñez', 'es'],
  ['Íñigo', 'Peña', 'es'],
  ['Lucía', 'Gómez', 'es'],
  ['Ángel', 'Ramírez', 'es'],
  ['Begoña', 'Ibáñez', 'es'],
  ['芳', '王', 'zh-Hans'],
  ['伟', '李', 'zh-Hans'],
  ['秀英', '张', 'zh-Hans'],
  ['静', '刘', 'zh-Hans'],
  ['磊', '陈', 'zh-Hans'],
  ['Nguyễn', 'Thị Hương', 'en'],
];
const STREETS = ['Oak Avenue', 'North Main Street', 'Maple Street', 'Elm Drive', 'West 3rd Street', 'Lincoln Boulevard', 'Calle Sol', 'Park Place'];
const VOLUNTEERS = ['Sam Rivera', 'Lee Chen', 'Ana Torres'];

export const PETITIONS = [
  {
    language: 'en' as const,
    title: 'Safe Crossings Near Every School',
    text: 'We, the undersigned residents, ask the Council to fund a marked and lit crossing within 300 feet of every public school entrance before the next school year.',
  },
  {
    language: 'es' as const,
    title: 'Cruces seguros cerca de cada escuela',
    text: 'Nosotros, los residentes abajo firmantes, pedimos al Concejo que financie un cruce señalizado e iluminado a menos de 300 pies de la entrada de cada escuela pública antes del próximo año escolar.',
  },
  {
    language: 'zh-Hans' as const,
    title: '每所学校附近都有安全的人行横道',
    text: '我们，以下签名的居民，请求市议会在下一学年之前，为每所公立学校入口300英尺范围内的人行横道提供标线和照明经费。',
  },
];

export interface SeededSigner {
  id: string;
  givenName: string;
  familyName: string;
  city: string;
  state: string;
  voided: boolean;
  /** Id of the earlier signature of the same signer (typed differently), for repeats. */
  repeatOf?: string;
  strokes: number;
  assisted: boolean;
}

export interface SeedSpec {
  signatures: number;
  /** Every n-th signature repeats an earlier signer (0: none). */
  repeatEvery?: number;
  /** Every n-th signature is voided (0: none). */
  voidEvery?: number;
  assistedEvery?: number;
  devices?: number;
  /** First day of signing (UTC noon); signatures spread over `days`. */
  start?: string;
  days?: number;
  /** Make every name unique (tests count each name in the PDF's text). */
  uniqueNames?: boolean;
  /** Keep the list of seeded signers (off for the benchmark's 100,000). */
  keep?: boolean;
}

/** The passphrase of every drive seeded here: what the organizer types to deliver it. */
export const DELIVERY_DRIVE_PASSPHRASE = 'safe crossings near every school';

export interface SeededDrive {
  driveId: string;
  /** The drive's public key (what its tablets seal to). */
  sealKey: string;
  versions: Record<Language, string>;
  deviceIds: string[];
  signers: SeededSigner[];
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAN_DIGITS = '〇一二三四五六七八九';
const LATIN_TAGS = 'bcdfghjklmnprstvz';

/** A suffix that makes the i-th name unique, in the name's own script. */
function uniqueSuffix(i: number, han: boolean): string {
  if (han) return [...String(i)].map((d) => HAN_DIGITS[Number(d)]).join('');
  let tag = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / LATIN_TAGS.length)) tag += LATIN_TAGS[n % LATIN_TAGS.length];
  return `-${tag[0]!.toUpperCase()}${tag.slice(1)}`;
}

/** The same address typed another way: abbreviations, case, accents, ZIP+4. */
function typedAgain(s: Signer, variant: number): Signer {
  const street = s.street
    .replace(/\bNorth\b/, 'N.')
    .replace(/\bStreet\b/, 'St')
    .replace(/\bAvenue\b/, 'Ave.')
    .replace(/\bBoulevard\b/, 'Blvd')
    .replace(/\bDrive\b/, 'Dr.');
  const plain = (t: string) => t.normalize('NFD').replace(/\p{M}/gu, '');
  return {
    ...s,
    givenName: variant % 2 ? plain(s.givenName).toUpperCase() : `  ${s.givenName.toLowerCase()}`,
    familyName: variant % 2 ? plain(s.familyName) : s.familyName.toUpperCase(),
    street: variant % 3 === 0 ? street.toUpperCase() : street,
    zip: s.zip.length === 5 ? `${s.zip}-${String(1000 + variant).slice(-4)}` : s.zip.slice(0, 5),
  };
}

/** What a record's clear part holds before its details are sealed in: everything but `place`, `sealed` and `digest`. */
export type ClearContent = Omit<SignatureContent, 'place' | 'sealed'>;

/** A record as a tablet of the drive makes it: the details sealed to `sealKey` for this record, its place in clear, its digest. */
export async function sealedRecord(sealKey: string | CryptoKey, clear: ClearContent, details: SignerDetails): Promise<SignatureRecord> {
  const key = typeof sealKey === 'string' ? await importDrivePublicKey(sealKey) : sealKey;
  const sealed = await sealSignerDetails(key, details, { driveId: clear.driveId, recordId: clear.id });
  const content: SignatureContent = { ...clear, place: { city: details.signer.city, state: details.signer.state }, sealed };
  return { ...content, digest: digestOfNow(content) };
}

/** The drive's private key, opened with its passphrase as an organizer's unlock does. */
export async function unlockDeliveryDrive(db: Kysely<Database>, driveId: string, passphrase = DELIVERY_DRIVE_PASSPHRASE): Promise<CryptoKey> {
  const stored = await driveKeyOf(db, driveId);
  if (!stored) throw new Error(`drive ${driveId} has no key`);
  return unlockWithPassphrase(stored.byPassphrase, passphrase, driveId);
}

export async function seedDeliveryDrive(db: Kysely<Database>, spec: SeedSpec): Promise<SeededDrive> {
  const rand = random(20261130);
  const drive = await createDrive(db, {
    passphrase: DELIVERY_DRIVE_PASSPHRASE,
    title: 'Safe Crossings Near Every School',
    goal: 25_000,
    recipient: 'Mayor and City Council of Springfield',
    coverLetter:
      'Dear Mayor and Members of the Council,\n\nWe deliver the signatures of residents who ask for a safe, marked and lit crossing near every public school. The sheets that follow carry each signer’s name, address, the day they signed and their signature.\n\nRespectfully,\nSafe Streets Coalition',
    petitions: PETITIONS,
  });
  const versions = Object.fromEntries(drive.petitions.map((p) => [p.language, p.version])) as Record<Language, string>;
  const deviceIds: string[] = [];
  for (let d = 0; d < (spec.devices ?? 4); d++) {
    const id = randomUUID();
    await db
      .insertInto('devices')
      .values({
        id,
        drive_id: drive.id,
        name: `Tablet ${d + 1}`,
        token_hash: createHash('sha256').update(id).digest('hex'),
        enrolled_at: new Date().toISOString(),
      })
      .execute();
    deviceIds.push(id);
  }
  const autographs = autographFixtures().map((a) => ({ encoded: encodeAutograph(a), strokes: a.strokes.filter((s) => s.length > 0).length }));
  const start = Date.parse(`${spec.start ?? '2026-10-05'}T12:00:00Z`);
  const span = (spec.days ?? 28) * 86_400_000;
  const seqOf = new Map<string, number>();
  const signers: SeededSigner[] = [];
  // Earlier signers a repeat may copy: a small ring, so the benchmark's memory stays flat.
  const earlier: { signer: Signer; id: string }[] = [];
  const sealKey = await importDrivePublicKey(drive.sealKey);
  let batch: { clear: ClearContent; details: SignerDetails }[] = [];
  const voids: string[] = [];
  const flush = async () => {
    // Sealed a batch at a time, in parallel: WebCrypto's work runs on libuv's threads.
    if (batch.length) await insertSignatures(db, await Promise.all(batch.map((r) => sealedRecord(sealKey, r.clear, r.details))), DEFAULT_TIME_ZONE);
    batch = [];
  };

  for (let i = 0; i < spec.signatures; i++) {
    const at = start + Math.floor((i / spec.signatures) * span) + Math.floor(rand() * 60_000);
    const deviceId = deviceIds[i % deviceIds.length]!;
    const seq = (seqOf.get(deviceId) ?? 0) + 1;
    seqOf.set(deviceId, seq);
    let signer: Signer;
    let language: Language;
    let repeatOf: string | undefined;
    if (spec.repeatEvery && i > 0 && i % spec.repeatEvery === 0 && earlier.length > 0) {
      const first = earlier[Math.floor(rand() * earlier.length)]!;
      signer = typedAgain(first.signer, i);
      language = 'en';
      repeatOf = first.id;
    } else {
      const [givenName, familyName, lang] = NAMES[Math.floor(rand() * NAMES.length)]!;
      const place = PLACES[Math.floor(rand() * PLACES.length)]!;
      signer = {
        givenName,
        familyName: spec.uniqueNames ? `${familyName}${uniqueSuffix(i, lang === 'zh-Hans')}` : familyName,
        street: `${1 + Math.floor(rand() * 9000)} ${STREETS[Math.floor(rand() * STREETS.length)]}`,
        city: place.city,
        state: place.state,
        zip: place.zip,
        ...(rand() < 0.4
          ? {
              email: `${
                givenName
                  .normalize('NFD')
                  .replace(/[^a-zA-Z]/g, '')
                  .toLowerCase() || 'signer'
              }${i}@example.org`,
            }
          : {}),
      };
      language = lang;
    }
    const autograph = autographs[i % autographs.length]!;
    const assisted = spec.assistedEvery ? i % spec.assistedEvery === 7 % spec.assistedEvery : false;
    const clear: ClearContent = {
      id: uuidv7(at),
      deviceId,
      seq,
      driveId: drive.id,
      petition: { version: versions[language], language },
      volunteer: VOLUNTEERS[i % VOLUNTEERS.length]!,
      capturedAt: new Date(at).toISOString(),
      ...(assisted ? { assisted: { attestedBy: VOLUNTEERS[(i + 1) % VOLUNTEERS.length]! } } : {}),
    };
    const details: SignerDetails = {
      signer,
      autograph: assisted
        ? encodeAutograph({
            width: 900,
            height: 300,
            pixelRatio: 2,
            strokes: [
              [
                { x: 300, y: 150, time: 0, pressure: 0.5 },
                { x: 340, y: 150, time: 40, pressure: 0.5 },
              ],
            ],
          })
        : autograph.encoded,
    };
    const record = clear;
    batch.push({ clear, details });
    const voided = Boolean(spec.voidEvery && i % spec.voidEvery === spec.voidEvery - 1);
    if (voided) voids.push(record.id);
    // A repeat copies a signer whose first signature stands (not voided), so it is a repeat of that one.
    if (!repeatOf && !voided) {
      if (earlier.length < 500) earlier.push({ signer, id: record.id });
      else if (rand() < 0.01) earlier[Math.floor(rand() * earlier.length)] = { signer, id: record.id };
    }
    if (spec.keep !== false) {
      signers.push({
        id: record.id,
        givenName: signer.givenName,
        familyName: signer.familyName,
        city: signer.city,
        state: signer.state,
        voided,
        strokes: assisted ? 1 : autograph.strokes,
        assisted,
        ...(repeatOf ? { repeatOf } : {}),
      });
    }
    if (batch.length >= 500) await flush();
  }
  await flush();
  for (const id of voids) await markVoided(db, id, { reason: 'Signer asked to withdraw', voidedAt: new Date().toISOString() });
  return { driveId: drive.id, sealKey: drive.sealKey, versions, deviceIds, signers };
}
