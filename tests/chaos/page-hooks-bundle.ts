// The page hooks as one script for `addInitScript`, built with Vite (the project's own bundler).
import { fileURLToPath } from 'node:url';
import { build, type Rollup } from 'vite';

export async function pageHooksScript(): Promise<string> {
  const output = (await build({
    configFile: false,
    logLevel: 'error',
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      write: false,
      minify: false,
      target: 'es2022',
      lib: { entry: fileURLToPath(new URL('./page-hooks.ts', import.meta.url)), formats: ['iife'], name: 'fieldpenChaosHooks' },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const chunk = (Array.isArray(output) ? output[0]! : output).output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('the page hooks did not build');
  return chunk.code;
}
