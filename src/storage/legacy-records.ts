// Rows saved in clear before device database version 4 (protocol 1) that the server never confirmed:
// the upgrade could not seal them (WebCrypto is asynchronous; an IndexedDB upgrade commits across such
// an await), so they are sealed here, on start-up and before each sync, once the drive's key is known.
//
// Each becomes a protocol 2 record with a new digest. Why not keep the old one: the server never
// acknowledged it, and a resend of the protocol 1 record would now be refused (protocol 1 is refused
// whole). Same id and sequence number, so completeness holds; if the server did store the old record
// and only its answer was lost, the new one arrives as a conflict, kept for the lead, never lost.
import { withDigest } from '../shared/record';
import type { SignatureContent, SignerDetails } from '../shared/schema';
import { deviceDb, type DeviceDB, type DeviceSignature, type LegacyClearRow } from './device-db';
import { canSealFor, sealDetails } from './sealing';
import { signerHashOf } from './signer-hash';

/** The database in which a run found nothing left to seal: new rows are always sealed, so no later run is needed. */
let allSealed: DeviceDB | undefined;
let running: Promise<number> | undefined;

/**
 * Seal every row still holding a signer in clear, where the tablet knows its drive's key. Returns how
 * many were sealed; rows of a drive whose key is unknown stay (and are not sent) until it is.
 */
export function sealLegacyRecords(): Promise<number> {
  if (allSealed === deviceDb()) return Promise.resolve(0);
  running ??= sealAll().finally(() => (running = undefined));
  return running;
}

/** Rows sealed between two writes: one short transaction each, not one per row. */
const CHUNK = 100;

async function sealAll(): Promise<number> {
  const db = deviceDb();
  const rows: LegacyClearRow[] = await db.signatures.where('legacyClear').equals(1).toArray();
  let sealed = 0;
  let left = 0;
  for (let start = 0; start < rows.length; start += CHUNK) {
    const replacements = new Map<string, Partial<DeviceSignature>>();
    for (const row of rows.slice(start, start + CHUNK)) {
      if (!row.signer || row.autograph === undefined || !(await canSealFor(row.driveId))) left++;
      else replacements.set(row.id, await sealedVersion(row));
    }
    if (replacements.size === 0) continue;
    // IndexedDB requests only inside: the rows as they are now keep their life (a void made meanwhile).
    await db.transaction('rw', db.signatures, async () => {
      const current: (LegacyClearRow | undefined)[] = await db.signatures.bulkGet([...replacements.keys()]);
      const next = current.flatMap((row) => {
        if (!row?.legacyClear) return [];
        const { signer: _s, autograph: _a, location: _l, legacyClear: _c, ...life } = row;
        return [{ ...life, ...replacements.get(row.id) }];
      });
      await db.signatures.bulkPut(next);
      sealed += next.length;
    });
  }
  if (left === 0) allSealed = db;
  return sealed;
}

/** The record's content fields sealed and digested anew, with the row's keyed hash. */
async function sealedVersion(row: LegacyClearRow): Promise<Partial<DeviceSignature>> {
  const raw = { signer: row.signer!, autograph: row.autograph!, ...(row.location ? { location: row.location } : {}) };
  // Sealed exactly as saved: protocol 1 checked and trimmed it at Save with the same signer and autograph rules.
  const details: SignerDetails = raw;
  const [sealedText, signerKey] = await Promise.all([
    sealDetails(details, { driveId: row.driveId, recordId: row.id }, { ready: false }),
    signerHashOf(details.signer),
  ]);
  const content: SignatureContent = {
    id: row.id,
    deviceId: row.deviceId,
    seq: row.seq,
    driveId: row.driveId,
    petition: row.petition,
    volunteer: row.volunteer,
    capturedAt: row.capturedAt,
    place: row.place ?? { city: details.signer.city, state: details.signer.state },
    ...(row.assisted ? { assisted: row.assisted } : {}),
    sealed: sealedText,
  };
  const record = await withDigest(content);
  return { ...record, ...(signerKey ? { signerKey } : {}) };
}
