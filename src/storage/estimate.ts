// How much the browser lets this tablet keep, and whether it promised to keep it: reported to the
// lead on enrolling and with every sync.
import type { DeviceReport } from '../shared/protocol';

export async function storageEstimate(): Promise<DeviceReport['storage']> {
  try {
    if (!navigator.storage?.estimate) return undefined;
    const [estimate, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? false]);
    return { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0, persisted };
  } catch {
    // A courtesy to the lead; a browser that refuses it still enrolls and syncs.
    return undefined;
  }
}
