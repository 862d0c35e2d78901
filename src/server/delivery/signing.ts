// A detached signature of the bag's tag manifest (which holds the payload manifest's checksum, so
// it vouches for every file), made with OpenSSH where the organization has set a key: anyone can
// check it with `ssh-keygen -Y verify` and the organization's public key (README, "Deliver the
// petition").
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DeliveryError } from './delivery-error';

export const SIGNING_NAMESPACE = 'fieldpen-delivery';

/** The key file to sign with: the caller's, else env DELIVERY_SIGNING_KEY, else none (unsigned). */
export function signingKeyFile(given?: string): string | undefined {
  const file = given ?? process.env.DELIVERY_SIGNING_KEY;
  return file ? file : undefined;
}

/** Writes `<file>.sig` beside the file. */
export async function signFile(file: string, keyFile: string): Promise<string> {
  try {
    await promisify(execFile)('ssh-keygen', ['-q', '-Y', 'sign', '-n', SIGNING_NAMESPACE, '-f', keyFile, file], { timeout: 30_000 });
  } catch (e) {
    const detail = (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
    throw new DeliveryError('signing_failed', `Could not sign the delivery with the key in DELIVERY_SIGNING_KEY: ${detail}`);
  }
  return `${file}.sig`;
}
