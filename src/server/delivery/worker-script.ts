// The delivery worker runs as plain JavaScript: its TypeScript and the project's modules it imports
// are bundled by esbuild (tsx's own compiler) once per server process, packages left as imports.
// Under the tsx loader each new worker thread compiled every source file again (about 2 s before a
// build began), and the loader and its copies of the sources took about 35 MB of the build's peak
// memory (tests/bench/delivery.bench.ts, delivery_100k_peak_rss_mb).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** Inside node_modules, so the bundle's imports of packages resolve as they do from the sources. */
const CACHE_DIR = join(ROOT, 'node_modules', '.cache', 'fieldpen');

const bundles = new Map<string, Promise<string>>();

/** The path of a plain-JavaScript bundle of the TypeScript module `entry` (an absolute path), made once per process. */
export function nodeBundle(entry: string): Promise<string> {
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = bundleOf(entry);
    bundles.set(entry, bundle);
    bundle.catch(() => bundles.delete(entry));
  }
  return bundle;
}

/** Each module keeps its own import.meta.url: modules find files from where they are (package.json, the fonts), not from the bundle. */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async ({ path }) => ({
      contents: (await readFile(path, 'utf8')).replaceAll('import.meta.url', JSON.stringify(pathToFileURL(path).href)),
      loader: 'ts',
    }));
  },
};

async function bundleOf(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    plugins: [ownImportMetaUrl],
  });
  const code = result.outputFiles[0]!.contents;
  // Named by its contents: processes sharing the folder (tests, instances) share a file, never half-written.
  const file = join(CACHE_DIR, `${basename(entry, '.ts')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(CACHE_DIR, { recursive: true });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
  }
  return file;
}
