// The status bar's one word on the server comes from what the last sync attempt found, not from
// navigator.onLine alone: a browser can report a network that does not reach the server.
import { describe, expect, it } from 'vitest';
import { serverState, type SyncStatus } from '../../src/sync/sync-status';

const idle: SyncStatus = { running: false };

describe('what the status bar says of the server', () => {
  it('says Offline when the last attempt had no answer, though the browser reports a network', () => {
    expect(serverState({ ...idle, server: 'unreachable', problem: { kind: 'offline', message: 'No connection to the server.' } }, true)).toBe('offline');
    expect(serverState({ ...idle, server: 'unreachable' }, true)).toBe('offline');
  });

  it('says Offline when the browser reports no network, whatever the last attempt found', () => {
    expect(serverState({ ...idle, server: 'reached' }, false)).toBe('offline');
    expect(serverState(idle, false)).toBe('offline');
  });

  it('says Online only when the last attempt reached the server and it took the batch', () => {
    expect(serverState({ ...idle, server: 'reached' }, true)).toBe('online');
    expect(
      serverState({ ...idle, server: 'reached', problem: { kind: 'server_error', message: 'The server could not take the signatures (500).' } }, true),
    ).toBe('trouble');
    expect(serverState({ ...idle, server: 'reached', problem: { kind: 'device_revoked', message: 'This tablet was removed from the drive.' } }, true)).toBe(
      'stopped',
    );
    expect(serverState({ ...idle, server: 'reached', problem: { kind: 'unauthorized', message: 'The server does not know this tablet.' } }, true)).toBe(
      'stopped',
    );
  });

  it('claims nothing before the first attempt', () => {
    expect(serverState(idle, true)).toBe('unknown');
  });
});
