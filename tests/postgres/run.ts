// `npm run test:postgres`: the whole server test suite against a throwaway PostgreSQL 15 cluster,
// stopped whatever happens. Extra arguments go to vitest (e.g. one test file).
import { spawnSync } from 'node:child_process';
import { startCluster } from './cluster';

const cluster = await startCluster();
let status = 1;
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
  console.log(`PostgreSQL 15 on port ${cluster.port}: running tests/server against it`);
  const args = process.argv.slice(2);
  const run = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...(args.length ? args : ['tests/server'])], {
    stdio: 'inherit',
    env: { ...process.env, FIELDPEN_TEST_DATABASE_URL: cluster.url },
  });
  status = run.status ?? 1;
} finally {
  stop();
}
process.exit(status);
