// `npm run test:postgres`: the whole server test suite, and the browser test that runs a drive end to
// end, against a throwaway PostgreSQL 15 cluster, stopped whatever happens. Extra arguments replace
// the default selection (e.g. one test file).
import { spawnSync } from 'node:child_process';
import { ensureChromium } from '../ensure-chromium.mjs';
import { startCluster } from './cluster';

ensureChromium(); // the drive's browser test runs in it

const cluster = await startCluster();
let status: number;
const stop = () => cluster.stop();
process.on('SIGINT', () => {
  stop();
  process.exit(130);
});
process.on('SIGTERM', () => {
  stop();
  process.exit(143);
});
try {
  const args = process.argv.slice(2);
  const selection = args.length ? args : ['tests/server', 'tests/browser/drive-day.test.ts'];
  console.log(`PostgreSQL 15 on port ${cluster.port}: running ${selection.join(' ')} against it`);
  const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...selection], {
    stdio: 'inherit',
    env: { ...process.env, FIELDPEN_TEST_DATABASE_URL: cluster.url },
  });
  status = run.status ?? 1;
} finally {
  stop();
}
process.exit(status);
