// A record's digest as the server checks it, for every record of every batch: the same text as
// canonicalJson(recordContent(record)) (src/shared/digest.ts, what the tablet hashes), written for the
// one shape a screened record has. The generic walk sorted keys, built arrays of parts and scanned the
// sealed payload for characters to escape: three quarters of the cost of checking a digest
// (tests/server/record-digest.test.ts proves the texts equal).
import * as nodeCrypto from 'node:crypto';
import { jsonString } from '../../shared/digest';
import type { SignatureRecord } from '../../shared/schema';

/** One-shot `hash` (Node 20.12 and later) builds no Hash object per record; older Node uses createHash. */
export const nodeSha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text, 'utf8').digest('hex');

/**
 * The canonical JSON of a record's content (every member but `digest`), keys in sorted order. Only for
 * a record that passed SignatureRecordSchema: its id, petition version, capturedAt, language, state and
 * sealed payload are then made of characters JSON writes as they are, and go in without a scan.
 */
export function recordContentJson(record: SignatureRecord): string {
  const { assisted, petition, place } = record;
  return (
    (assisted === undefined ? '{' : '{"assisted":{"attestedBy":' + jsonString(assisted.attestedBy) + '},') +
    '"capturedAt":"' +
    record.capturedAt +
    '","deviceId":' +
    jsonString(record.deviceId) +
    ',"driveId":' +
    jsonString(record.driveId) +
    ',"id":"' +
    record.id +
    '","petition":{"language":"' +
    petition.language +
    '","version":"' +
    petition.version +
    '"},"place":{"city":' +
    jsonString(place.city) +
    ',"state":"' +
    place.state +
    '"},"sealed":"' +
    record.sealed +
    '","seq":' +
    record.seq +
    ',"volunteer":' +
    jsonString(record.volunteer) +
    '}'
  );
}

/** True when a screened record's digest is the SHA-256 of its content. */
export function recordDigestMatches(record: SignatureRecord): boolean {
  return nodeSha256Hex(recordContentJson(record)) === record.digest;
}
