// A process that does nothing but run one delivery-child worker thread with the delivery job's
// resource limits, then prints the worker's figures and the process's peak memory as one JSON line.
// Plain JavaScript and no loader: what is measured is Node, the worker and its build, as on a server.
import { Worker } from 'node:worker_threads';

const [script, limits, file, driveId, outDir, mode] = process.argv.slice(2);
const worker = new Worker(script, { workerData: { file, driveId, outDir, mode }, resourceLimits: JSON.parse(limits) });
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
