// A worker thread's entry must be JavaScript: Node 20 loads it before any `--import` hook of the
// worker runs, so a .ts entry fails under tsx and vitest alike. Register tsx here, then load the
// TypeScript worker named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
