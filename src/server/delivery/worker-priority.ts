// Delivery threads run below the request thread: on Linux a nice value belongs to a thread, so this
// lowers only the calling thread, and batch answers keep the CPU when a build competes for it
// (delivery_sync_p95_ratio was 1.2–2.2 from run to run on the shared 2-core machine without it).
import { setPriority } from 'node:os';

const DELIVERY_NICE = 10;

export function lowerThisThread(): void {
  try {
    setPriority(DELIVERY_NICE);
  } catch {
    // Not allowed here (some containers): the thread runs at the server's priority.
  }
}
