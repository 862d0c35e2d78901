// The body of Save (captureSignature in signatures.ts): encode the strokes, check, seal, the keyed hash,
// the digest, one strict-durability add. It loads after the signer form is shown, with the sealing code
// (sealing.ts), so none of it — the autograph codec, the record's schema, the digest — weighs on the first
// load (tests/unit/first-load-budget.test.ts); the service worker precaches its chunk, so it loads offline.
import { encodeAutograph } from '../shared/autograph-codec';
import { uuidv7 } from '../shared/ids';
import { withDigest } from '../shared/record';
import { check, SignatureContentSchema } from '../shared/schema';
import { addSignatureStrict, deviceDb, nextSequence, resetSequenceCache, sequenceTaken, type DeviceSignature } from './device-db';
import { InvalidSignatureError, isConstraintError, isQuotaError, StorageFullError } from './errors';
import { initialsOf } from './initials';
import { checkDetails, prepareNextSeal, sealDetails, signerHashOf } from './sealing';
import type { CaptureInput, DrawnCaptureInput } from './signatures';

export { prepareNextSeal, signerHashOf, warmSealing } from './sealing';

const SEQUENCE_RETRIES = 8;

export async function saveOne(input: CaptureInput | DrawnCaptureInput, now: Date): Promise<DeviceSignature> {
  const db = deviceDb();
  const id = uuidv7(now.getTime());
  const { signer, autograph: drawn, location, ...clear } = input;
  const autograph = typeof drawn === 'string' ? drawn : encodeAutograph(drawn);
  // Checked (and trimmed) as the organizer's unlocked key will read them back, before anything is sealed.
  const details = checkDetails({ signer, autograph, ...(location ? { location } : {}) });
  if (!details.ok) throw new InvalidSignatureError(details.problems);
  const who = details.value.signer;
  // Sealed before the transaction opens: an IndexedDB transaction commits by itself across an await
  // that is not a request of its own (WebCrypto's), so nothing slow may run inside it.
  const [sealed, signerKey, firstSeq] = await Promise.all([
    sealDetails(details.value, { driveId: clear.driveId, recordId: id }),
    signerHashOf(who),
    nextSequence(db),
  ]);
  for (let attempt = 0; ; attempt++) {
    const seq = attempt === 0 ? firstSeq : await nextSequence(db);
    // Digested as the server will read it (trimmed, checked), so its digest matches there.
    const content = check(SignatureContentSchema, { ...clear, id, seq, capturedAt: now.toISOString(), place: { city: who.city, state: who.state }, sealed });
    if (!content.ok) throw new InvalidSignatureError(content.problems);
    const record = await withDigest(content.value);
    // Nothing of the details in clear: the wire record (sealed), its state, the initials and the keyed hash.
    const row: DeviceSignature = { ...record, state: 'pending', initials: initialsOf(who) };
    if (signerKey) row.signerKey = signerKey;
    try {
      // Settles on commit, never on a write a live query saw early.
      await addSignatureStrict(db, row);
      sequenceTaken(seq);
      // The next signer's seal, made ready once "Saved" is shown, while the volunteer walks on.
      setTimeout(() => void prepareNextSeal(clear.driveId), 0);
      return row;
    } catch (e) {
      if (isQuotaError(e)) throw new StorageFullError();
      if (isConstraintError(e) && attempt < SEQUENCE_RETRIES) {
        resetSequenceCache(); // another tab saved this number first: read the highest again
        continue;
      }
      throw e;
    }
  }
}
