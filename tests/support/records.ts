// Test data: realistic signers and autographs, and records sealed and digested with the shared code.
// The one factory of signature records for every test (unit, server, chaos).
import { encodeAutograph, type Autograph } from '../../src/shared/autograph-codec';
import { uuidv7 } from '../../src/shared/ids';
import type { EnrollResponse } from '../../src/shared/protocol';
import { withDigest } from '../../src/shared/record';
import type { SignatureContent, SignatureRecord, Signer, SignerDetails } from '../../src/shared/schema';
import { generateDriveKeyPair, importDrivePublicKey, sealSignerDetails } from '../../src/shared/signer-seal';
import type { CaptureInput } from '../../src/storage/signatures';

/** Signer `n`: a different person for each n (no email, which only some drives require). */
export function sampleSigner(n = 1): Signer {
  return { givenName: 'Ada', familyName: `Signer ${n}`, street: '12 Elm Street', city: 'Springfield', state: 'IL', zip: '62701' };
}

/** A two-stroke autograph drawn over about a second, like a quick signature. */
export function sampleAutograph(seed = 1): Autograph {
  const strokes = [0, 1].map((s) =>
    Array.from({ length: 40 }, (_, i) => ({
      x: 40 + i * 6 + s * 20,
      y: 120 + Math.sin((i + seed) / 4) * 30 + s * 10,
      time: 1_700_000_000_000 + s * 600 + i * 12,
      pressure: 0.5,
    })),
  );
  return { width: 900, height: 300, pixelRatio: 2, strokes };
}

/** Signer `n`'s details as they are sealed: who they are and their autograph. */
export function sampleDetails(n = 1): SignerDetails {
  return { signer: sampleSigner(n), autograph: encodeAutograph(sampleAutograph(n)) };
}

/** A drive key pair made once per test process, for records of drives no test server made. */
let testKey: Promise<{ publicKey: string; privateKey: CryptoKey }> | undefined;
export function testDriveKey(): Promise<{ publicKey: string; privateKey: CryptoKey }> {
  testKey ??= generateDriveKeyPair();
  return testKey;
}

const publicKeys = new Map<string, Promise<CryptoKey>>();
function publicKeyOf(sealKey: string): Promise<CryptoKey> {
  let key = publicKeys.get(sealKey);
  if (!key) publicKeys.set(sealKey, (key = importDrivePublicKey(sealKey)));
  return key;
}

export interface RecordFields {
  deviceId: string;
  driveId: string;
  petitionVersion: string;
  seq: number;
  /** The drive's public key (DriveInfo.sealKey); the process's test key when absent. */
  sealKey?: string;
}

/**
 * Record content with signer `seq`'s details sealed to the drive. `details` edits what is sealed,
 * `overrides` the clear fields (a changed `id` or `driveId` is bound into the seal, as on a tablet).
 */
export async function sampleContent(
  f: RecordFields,
  overrides: Partial<SignatureContent> = {},
  details: (d: SignerDetails) => void = () => {},
): Promise<SignatureContent> {
  const sealed = sampleDetails(f.seq);
  details(sealed);
  const clear: Omit<SignatureContent, 'sealed'> = {
    id: uuidv7(),
    deviceId: f.deviceId,
    seq: f.seq,
    driveId: f.driveId,
    petition: { version: f.petitionVersion, language: 'en' },
    volunteer: 'Rosa Delgado',
    capturedAt: new Date().toISOString(),
    place: { city: sealed.signer.city, state: sealed.signer.state },
    ...overrides,
  };
  const publicKey = await publicKeyOf(f.sealKey ?? (await testDriveKey()).publicKey);
  return { ...clear, sealed: overrides.sealed ?? (await sealSignerDetails(publicKey, sealed, { driveId: clear.driveId, recordId: clear.id })) };
}

export async function sampleRecord(f: RecordFields, overrides: Partial<SignatureContent> = {}, details?: (d: SignerDetails) => void): Promise<SignatureRecord> {
  return withDigest(await sampleContent(f, overrides, details));
}

/**
 * A valid record as device `enrolled` would send it, in the drive's first petition text, sealed to the
 * drive's key; `details` edits what is sealed, `change` the record's clear content before the digest.
 */
export async function signatureRecord(
  enrolled: EnrollResponse,
  seq: number,
  change: (content: SignatureContent) => void = () => {},
  details?: (d: SignerDetails) => void,
): Promise<SignatureRecord> {
  const petition = enrolled.drive.petitions[0]!;
  const content = await sampleContent(
    { deviceId: enrolled.deviceId, driveId: enrolled.drive.id, petitionVersion: petition.version, seq, sealKey: enrolled.drive.sealKey },
    { petition: { version: petition.version, language: petition.language } },
    details,
  );
  change(content);
  return withDigest(content);
}

/** What the signer form hands to captureSignature for signer `i`, on device `device-1` unless another is named. */
export function sampleCaptureInput(
  i: number,
  device: Pick<CaptureInput, 'deviceId' | 'driveId' | 'petition'> = {
    deviceId: 'device-1',
    driveId: 'drive-1',
    petition: { version: 'c'.repeat(64), language: 'en' },
  },
): CaptureInput {
  return { ...device, volunteer: 'Sam Rivera', ...sampleDetails(i) };
}
