// Device bearer tokens: 32 random bytes, shown to the device once. The server keeps only a SHA-256,
// so a copy of the database does not let anyone submit as a device.
import { createHash, randomBytes } from 'node:crypto';
import { encodeBase64url } from '../shared/base64url';

export function makeDeviceToken(): string {
  return encodeBase64url(randomBytes(32));
}

export function hashDeviceToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
