// On a fresh machine every command that drives a browser installs Debian's Chromium and a CJK font
// first, the same way (tests/ensure-chromium.mjs), before it does anything else. Each command is run
// here as npm runs it, on a machine where both are missing: CHROMIUM_PATH and CJK_FONT_PATH name
// files that do not exist, fontconfig knows no Chinese font, and an `apt-get` earlier on the PATH
// writes down what it was asked and refuses to install (so nothing is installed and the command stops).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bin = mkdtempSync(join(tmpdir(), 'fieldpen-fresh-machine-'));
const aptLog = join(bin, 'apt-get.log');
const script = (name: string, body: string) => {
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(bin, name), 0o755);
};
script('apt-get', `echo "apt-get $*" >> '${aptLog}'\n[ "$1" = update ] && exit 0\nexit 100`);
script('fc-list', 'exit 0'); // no font for any language
script('sudo', 'exec "$@"');

afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** Run a command as `npm run` would (from the project folder) on the fresh machine; what apt-get was asked. */
function onFreshMachine(args: string[], env: Record<string, string> = {}): { status: number | null; output: string; apt: string[] } {
  rmSync(aptLog, { force: true });
  const run = spawnSync(args[0]!, args.slice(1), {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      CHROMIUM_PATH: join(bin, 'no-chromium-here'),
      CJK_FONT_PATH: join(bin, 'no-font-here.ttc'),
      FIELDPEN_SKIP_BUILD: '1',
      ...env,
    },
  });
  let apt: string[] = [];
  try {
    apt = readFileSync(aptLog, 'utf8').trim().split('\n');
  } catch {
    // apt-get never ran
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`, apt };
}

const tsx = [process.execPath, '--import', 'tsx'];
const COMMANDS: Record<string, string[]> = {
  'npm test (before vitest)': [process.execPath, 'tests/ensure-chromium.mjs'],
  'npm run bench': [...tsx, 'tests/bench/run.ts', 'no-such-benchmark'],
  'npm run test:postgres': [...tsx, 'tests/postgres/run.ts', 'tests/unit/no-such-file.test.ts'],
  'npm run screenshots': [...tsx, 'tests/browser/screenshots.ts'],
  'npm run lighthouse': [...tsx, 'tests/bench/lighthouse.ts'],
};

describe('a command that needs Chromium, on a fresh machine', () => {
  for (const [name, args] of Object.entries(COMMANDS)) {
    it(`${name} installs chromium and fonts-noto-cjk with apt-get first, and stops saying what to do when it cannot`, () => {
      const { status, output, apt } = onFreshMachine(args);
      expect(apt).toEqual(['apt-get update -qq', 'apt-get install -y -qq chromium fonts-noto-cjk']);
      expect(status).toBe(1);
      expect(output).toContain(
        'Could not install chromium and fonts-noto-cjk. Install them yourself (apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH.',
      );
    }, 60_000);
  }

  it('installs nothing where both are there', () => {
    const there = join(ROOT, 'package.json'); // any file that exists stands for each
    const { status, apt } = onFreshMachine([process.execPath, 'tests/ensure-chromium.mjs'], { CHROMIUM_PATH: there, CJK_FONT_PATH: there });
    expect(apt).toEqual([]);
    expect(status).toBe(0);
  });
});
