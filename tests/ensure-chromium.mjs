// The browser tests, the benchmarks, the screenshots and Lighthouse drive Debian's Chromium, and what
// they look at must be what a tablet shows, Chinese included. On a fresh machine neither Chromium nor
// a CJK font is there yet: every entry point that needs them calls ensureChromium() (one
// implementation), which installs Debian's packages — never a browser download of a test tool's own.
// Run directly (`node tests/ensure-chromium.mjs`), it does the same and exits 1 when it cannot.
import { execFileSync, execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** A font file of Debian's fonts-noto-cjk (Simplified Chinese included). */
export const CJK_FONT = process.env.CJK_FONT_PATH ?? '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';

/** Whether fontconfig knows a font for Simplified Chinese (any, not only Noto's). */
function fontconfigHasChinese() {
  try {
    return execFileSync('fc-list', [':lang=zh-cn', 'family'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch {
    return false; // no fontconfig yet: Chromium brings it
  }
}

/** The Debian packages missing for the browser tests: `chromium`, `fonts-noto-cjk`. */
export function missingPackages() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push('chromium');
  if (!existsSync(CJK_FONT) && !fontconfigHasChinese()) missing.push('fonts-noto-cjk');
  return missing;
}

/** Install what is missing with apt-get (through sudo unless root). Throws, saying what to do, when it cannot. */
export function ensureChromium() {
  const missing = missingPackages();
  if (missing.length === 0) return;
  console.log(`Installing Debian's ${missing.join(' and ')} for the browser (about a minute)…`);
  const sudo = process.getuid?.() === 0 ? '' : 'sudo ';
  try {
    execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${missing.join(' ')}`, { stdio: 'inherit' });
  } catch {
    throw new Error(`Could not install ${missing.join(' and ')}. Install them yourself (apt-get install chromium fonts-noto-cjk) or set CHROMIUM_PATH.`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium was installed but ${CHROMIUM} is still missing; set CHROMIUM_PATH.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    ensureChromium();
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
