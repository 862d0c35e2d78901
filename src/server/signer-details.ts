// A signer's details from a stored signature row, with the drive's opener at hand: what every read of
// a signer does once the organizer has unlocked the drive (signer-access.ts: unlockDrive, openSignature).
// Apart from signer-access.ts, which reaches the database, so that a delivery's opener thread
// (delivery/opener-thread.ts) loads only this and the opener.
import { check, SignerDetailsSchema, type SignerDetails } from '../shared/schema';
import { detailsMatchRecord, type SealContext } from '../shared/signer-seal';
import type { SignerOpener } from './signer-open';

/** A signature row as the server holds it: sealed (protocol 2), or an older row with clear columns. */
export interface StoredSignature {
  id: string;
  drive_id: string;
  city: string;
  state: string;
  sealed: string | null;
  given_name?: string | null;
  family_name?: string | null;
  street?: string | null;
  zip?: string | null;
  email?: string | null;
  autograph?: string | null;
  location?: string | null;
}

/** A record whose details cannot be read: its seal does not open, fails the schema, or disagrees with its clear place. */
export class UnreadableSignature extends Error {
  override name = 'UnreadableSignature';
  constructor(readonly reason: 'does_not_open' | 'place_differs' | 'no_details') {
    super(
      reason === 'place_differs'
        ? 'its sealed city or state differ from the place it was counted under'
        : reason === 'no_details'
          ? 'it holds no details'
          : 'its sealed details do not open with the drive key, or are not a signer',
    );
  }
}

/** openSignature with the key's opener at hand (openerOf): synchronous, for a delivery's page of rows. */
export function openSignatureWith(opener: SignerOpener, row: StoredSignature): SignerDetails {
  if (row.sealed === null) return clearDetailsOf(row);
  const details = openSealedDetails(opener, row.sealed, { driveId: row.drive_id, recordId: row.id });
  if (!detailsMatchRecord(details, { place: { city: row.city, state: row.state } })) throw new UnreadableSignature('place_differs');
  return details;
}

/** What openSignerDetails (src/shared/signer-seal.ts) does, with the node:crypto opener (signer-open.ts says why). */
export function openSealedDetails(opener: SignerOpener, sealed: string, context: SealContext): SignerDetails {
  try {
    const checked = check(SignerDetailsSchema, JSON.parse(opener.openText(sealed, context)));
    if (checked.ok) return checked.value;
  } catch {
    // Below: whatever failed, the record says nothing more.
  }
  throw new UnreadableSignature('does_not_open');
}

/** A legacy (protocol 1) row's clear columns as the details a sealed record carries. */
export function clearDetailsOf(row: StoredSignature): SignerDetails {
  const { given_name, family_name, street, zip, autograph } = row;
  if (given_name == null || family_name == null || street == null || zip == null || autograph == null) throw new UnreadableSignature('no_details');
  return {
    signer: {
      givenName: given_name,
      familyName: family_name,
      street,
      city: row.city,
      state: row.state as SignerDetails['signer']['state'],
      zip,
      ...(row.email != null && { email: row.email }),
    },
    autograph,
    ...(row.location != null && { location: JSON.parse(row.location) as NonNullable<SignerDetails['location']> }),
  };
}
