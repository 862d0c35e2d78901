// Test data: realistic signers and autographs, and records with their digest built with the shared
// code. The one factory of signature records for every test (unit, server, chaos).
import { encodeAutograph, type Autograph } from '../../src/shared/autograph-codec';
import { uuidv7 } from '../../src/shared/ids';
import type { EnrollResponse } from '../../src/shared/protocol';
import { withDigest } from '../../src/shared/record';
import type { SignatureContent, SignatureRecord, Signer } from '../../src/shared/schema';
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

export interface RecordFields {
  deviceId: string;
  driveId: string;
  petitionVersion: string;
  seq: number;
}

export function sampleContent(f: RecordFields, overrides: Partial<SignatureContent> = {}): SignatureContent {
  return {
    id: uuidv7(),
    deviceId: f.deviceId,
    seq: f.seq,
    driveId: f.driveId,
    petition: { version: f.petitionVersion, language: 'en' },
    volunteer: 'Rosa Delgado',
    capturedAt: new Date().toISOString(),
    signer: sampleSigner(f.seq),
    autograph: encodeAutograph(sampleAutograph(f.seq)),
    ...overrides,
  };
}

export function sampleRecord(f: RecordFields, overrides: Partial<SignatureContent> = {}): Promise<SignatureRecord> {
  return withDigest(sampleContent(f, overrides));
}

/** A valid record as device `enrolled` would send it, in the drive's first petition text; `change` edits the content first. */
export function signatureRecord(enrolled: EnrollResponse, seq: number, change: (content: SignatureContent) => void = () => {}): Promise<SignatureRecord> {
  const petition = enrolled.drive.petitions[0]!;
  const content = sampleContent(
    { deviceId: enrolled.deviceId, driveId: enrolled.drive.id, petitionVersion: petition.version, seq },
    { petition: { version: petition.version, language: petition.language } },
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
  return {
    ...device,
    volunteer: 'Sam Rivera',
    signer: sampleSigner(i),
    autograph: encodeAutograph(sampleAutograph(i)),
  };
}
