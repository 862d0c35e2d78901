// The dashboard's figures are worked out once per change of a drive and shared by its streams.
import { describe, expect, it } from 'vitest';
import { LiveUpdates } from '../../src/server/live-updates';

describe('figures shared among the streams of a drive', () => {
  it('gives every stream asking after one change the same answer, and a new one after the next change', async () => {
    const live = new LiveUpdates();
    let worked = 0;
    const figures = () => Promise.resolve(++worked);
    const off = [live.subscribe('drive-a', () => {}), live.subscribe('drive-a', () => {}), live.subscribe('drive-b', () => {})];
    expect(await Promise.all([live.latest('drive-a', figures), live.latest('drive-a', figures)])).toEqual([1, 1]);
    live.notify('drive-a');
    expect(await Promise.all([live.latest('drive-a', figures), live.latest('drive-a', figures)])).toEqual([2, 2]);
    // Another drive's figures are its own.
    expect(await live.latest('drive-b', figures)).toBe(3);
    off.forEach((f) => f());
  });

  it('does not keep a failed answer, and works each time for a drive nobody watches', async () => {
    const live = new LiveUpdates();
    const off = live.subscribe('drive-a', () => {});
    await expect(live.latest('drive-a', () => Promise.reject(new Error('database away')))).rejects.toThrow('database away');
    expect(await live.latest('drive-a', () => Promise.resolve('read again'))).toBe('read again');
    off();
    expect(await live.latest('drive-a', () => Promise.resolve('unwatched 1'))).toBe('unwatched 1');
    expect(await live.latest('drive-a', () => Promise.resolve('unwatched 2'))).toBe('unwatched 2');
  });
});
