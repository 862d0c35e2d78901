// Browser tests run against the production build, as a volunteer's tablet gets it: build once, in
// a process of its own (inside vitest, NODE_ENV=test would give a development build).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureChromium } from './ensure-chromium.mjs';

export default function setup(): void {
  ensureChromium(); // `npx vitest run` on a fresh machine, as `npm test` does first
  if (process.env.FIELDPEN_SKIP_BUILD) return;
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--logLevel', 'warn'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: 'inherit',
  });
}
