import { digestOf, digestOfNow } from './digest';
import { recordContent, type SignatureContent, type SignatureRecord } from './schema';

/** Seal a record's content with its digest. */
export async function withDigest(content: SignatureContent): Promise<SignatureRecord> {
  return { ...content, digest: await digestOf(content) };
}

/** True when the record's digest matches its content (not tampered with, not garbled in transit). */
export async function digestMatches(record: SignatureRecord): Promise<boolean> {
  return (await digestOf(recordContent(record))) === record.digest;
}

/** digestMatches where SHA-256 is synchronous (see digestOfNow). */
export function digestMatchesNow(record: SignatureRecord): boolean {
  return digestOfNow(recordContent(record)) === record.digest;
}
