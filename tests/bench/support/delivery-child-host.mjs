// A process that does nothing but run one delivery-child worker thread with the delivery job's
// resource limits, then prints the worker's figures and the process's peak memory as one JSON line.
// Plain JavaScript and no loader: what is measured is Node, the worker and its build, as on a server.
// The drive's raw private key comes on stdin (hex) and goes to the worker transferred, as the job's does.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const [script, openerScript, limits, file, driveId, outDir, mode] = process.argv.slice(2);
const driveKey = new Uint8Array(Buffer.from(readFileSync(0, 'utf8').trim(), 'hex'));
const worker = new Worker(script, {
  workerData: { file, driveId, outDir, mode, driveKey, openerScript },
  transferList: [driveKey.buffer],
  resourceLimits: JSON.parse(limits),
});
let result;
worker.on('message', (m) => (result = m));
worker.on('error', (e) => {
  console.error(e);
  process.exitCode = 1;
});
worker.once('exit', () => {
  if (!result) return void (process.exitCode = 1);
  console.log(JSON.stringify({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
});
