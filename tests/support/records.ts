// Test data: realistic signers and autographs, and sealed records built with the shared code.
import { encodeAutograph, type Autograph } from '../../src/shared/autograph-codec';
import { uuidv7 } from '../../src/shared/ids';
import { withDigest } from '../../src/shared/record';
import type { SignatureContent, SignatureRecord, Signer } from '../../src/shared/schema';
import type { CaptureInput } from '../../src/storage/signatures';

export function sampleSigner(n = 1): Signer {
  return {
    givenName: `Ada${n}`,
    familyName: 'Okafor',
    street: `${100 + n} Maple Street`,
    city: 'Columbus',
    state: 'OH',
    zip: '43215',
    email: `ada${n}@example.org`,
  };
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
    volunteer: 'Sam Rivera',
    capturedAt: new Date().toISOString(),
    signer: sampleSigner(f.seq),
    autograph: encodeAutograph(sampleAutograph(f.seq)),
    ...overrides,
  };
}

export function sampleRecord(f: RecordFields, overrides: Partial<SignatureContent> = {}): Promise<SignatureRecord> {
  return withDigest(sampleContent(f, overrides));
}

/** What the signer form hands to captureSignature on device `device-1`. */
export function sampleCaptureInput(i: number): CaptureInput {
  return {
    deviceId: 'device-1',
    driveId: 'drive-1',
    petition: { version: 'c'.repeat(64), language: 'en' },
    volunteer: 'Sam Rivera',
    signer: sampleSigner(i),
    autograph: encodeAutograph(sampleAutograph(i)),
  };
}
