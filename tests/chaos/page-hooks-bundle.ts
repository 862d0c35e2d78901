// The page hooks as one script for `addInitScript`, built with esbuild (already installed for tsx).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export async function pageHooksScript(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./page-hooks.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]!.text;
}
