// The drive's private key at rest: wrapped under the organizer's passphrase and under a recovery
// key, opened only by one of them, and never stored in clear.
import { describe, expect, it } from 'vitest';
import { createDriveKey, rewrapWithPassphrase, unlockWithPassphrase, unlockWithRecoveryKey, WrongPassphraseError } from '../../src/server/drive-keys';
import { exportDrivePrivateKey, importDrivePublicKey, openText, sealText } from '../../src/shared/signer-seal';

const context = { driveId: 'drive-1', recordId: '019ac3f2-5b10-7c3e-8a41-2f6d0b9e7c15' };

describe('a drive key under a passphrase', () => {
  it('opens with the passphrase or the recovery key, and each opens what the tablet sealed', async () => {
    const key = await createDriveKey('correct horse battery staple', 'drive-1');
    expect(key.recoveryKey).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
    const sealed = await sealText(await importDrivePublicKey(key.publicKey), 'Rosa Delgado', context);

    const byPassphrase = await unlockWithPassphrase(key.byPassphrase, 'correct horse battery staple', 'drive-1');
    expect(await openText(byPassphrase, sealed, context)).toBe('Rosa Delgado');
    const byRecovery = await unlockWithRecoveryKey(key.byRecoveryKey, key.recoveryKey.toLowerCase().replaceAll('-', ' '), 'drive-1');
    expect(await openText(byRecovery, sealed, context)).toBe('Rosa Delgado');

    // What is stored holds no copy of the private key.
    const raw = Buffer.from(await exportDrivePrivateKey(byPassphrase));
    const stored = Buffer.from(JSON.stringify([key.byPassphrase, key.byRecoveryKey, key.publicKey]));
    for (const form of [raw.toString('hex'), raw.toString('base64'), raw.toString('base64url')]) expect(stored.includes(form)).toBe(false);
    expect(stored.includes(raw)).toBe(false);
  }, 20_000);

  it('refuses a wrong passphrase, a wrong recovery key and another drive, with WrongPassphraseError', async () => {
    const key = await createDriveKey('correct horse battery staple', 'drive-1');
    await expect(unlockWithPassphrase(key.byPassphrase, 'correct horse battery stapler', 'drive-1')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(unlockWithPassphrase(key.byPassphrase, 'correct horse battery staple', 'drive-2')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(unlockWithRecoveryKey(key.byRecoveryKey, '0'.repeat(64), 'drive-1')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(unlockWithRecoveryKey(key.byRecoveryKey, 'not a key', 'drive-1')).rejects.toBeInstanceOf(WrongPassphraseError);
  }, 20_000);

  it('takes a new passphrase after a recovery, and the old one no longer opens the new wrap', async () => {
    const key = await createDriveKey('correct horse battery staple', 'drive-1');
    const privateKey = await unlockWithRecoveryKey(key.byRecoveryKey, key.recoveryKey, 'drive-1');
    const rewrapped = await rewrapWithPassphrase(privateKey, 'a brand new passphrase', 'drive-1');
    await expect(unlockWithPassphrase(rewrapped, 'correct horse battery staple', 'drive-1')).rejects.toBeInstanceOf(WrongPassphraseError);
    const reopened = await unlockWithPassphrase(rewrapped, 'a brand new passphrase', 'drive-1');
    expect(Buffer.from(await exportDrivePrivateKey(reopened))).toEqual(Buffer.from(await exportDrivePrivateKey(privateKey)));
  }, 20_000);

  it('refuses a short passphrase before making anything', async () => {
    await expect(createDriveKey('short', 'drive-1')).rejects.toBeInstanceOf(RangeError);
  });
});
