/// <reference types="vitest/config" />
import { posix } from 'node:path';
import { build, defineConfig, type Plugin, type Rolldown } from 'vite';
import preact from '@preact/preset-vite';
import { VitePWA } from 'vite-plugin-pwa';

const APP_VERSION = JSON.stringify(process.env.npm_package_version ?? '0.0.0');
// Dexie's modern ES build: tree-shakable and smaller than the ES5 bundle its package points at.
const DEXIE_MODERN = { find: /^dexie$/, replacement: 'dexie/dist/modern/dexie.mjs' };

/**
 * The lead dashboard (`lead.html`) is built on its own, after the volunteer app, into the same
 * `dist/`. Built together, the two pages would share a chunk (Preact, the schema) and the volunteer's
 * first load would be two scripts instead of one, each compressed on its own (about 800 bytes more).
 * Its files are named `assets/lead-*`, which the service worker never precaches.
 */
function leadDashboard(): Plugin {
  return {
    name: 'fieldpen-lead-dashboard',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        plugins: [preact()],
        resolve: { alias: [DEXIE_MODERN] },
        define: { __APP_VERSION__: APP_VERSION },
        build: {
          target: 'es2022',
          emptyOutDir: false,
          modulePreload: { polyfill: false },
          rollupOptions: {
            input: { lead: 'lead.html' },
            output: { entryFileNames: 'assets/lead-[hash].js', chunkFileNames: 'assets/lead-[name]-[hash].js', assetFileNames: 'assets/lead-[name]-[hash][extname]' },
          },
        },
      });
    },
  };
}

/**
 * The sync engine for Background Sync, as a classic script the service worker imports only when a
 * sync wakes it (sw/sync-worker.ts): `dist/sw-sync.js`, revalidated like sw.js, never precached.
 */
function serviceWorkerSync(): Plugin {
  return {
    name: 'fieldpen-service-worker-sync',
    apply: 'build',
    async closeBundle() {
      await build({
        configFile: false,
        logLevel: 'warn',
        resolve: { alias: [DEXIE_MODERN] },
        define: { __APP_VERSION__: APP_VERSION },
        build: {
          target: 'es2022',
          emptyOutDir: false,
          copyPublicDir: false,
          lib: { entry: 'sw/sync-worker.ts', formats: ['iife'], name: 'fieldpenSyncWorker', fileName: () => 'sw-sync.js' },
        },
      });
    },
  };
}

/**
 * The volunteer app's entry as a classic script (`<script defer>`), not a module. Chromium compiles the
 * scripts a service worker caches while it installs and keeps their code cache in Cache Storage, read
 * off the main thread when the page loads them — for classic scripts only: a module's cache is never
 * read there ("ModuleScript doesn't support off-thread cache consumption", Blink's script_streamer.cc),
 * so the entry was compiled again on every start of the browser (90–130 ms of background compile on the
 * bench machine; from the script's arrival to DOMContentLoaded is about 50 ms shorter now, and a trace
 * shows the cache consumed: `v8.compile` with `cacheKind: "full"`).
 *
 * The entry is wrapped in a strict function: a module's scope and strictness, no globals. What the lazy
 * chunks import from it, they take from one global function when they run, which is after the entry
 * ran (only its `import()` loads them): the values then, not live bindings — right for what the entry
 * shares (functions, classes, and variables assigned as the entry runs); the build fails on a shared
 * binding a function assigns again (`assignedLater`, tests/unit/classic-entry.test.ts). `import.meta.url` is the script's address. The build fails on
 * anything else a module could do.
 */
function classicEntryScript(): Plugin {
  const SHARED = 'self.__fieldpenEntry';
  const META = 'entryMeta';
  return {
    name: 'fieldpen-classic-entry',
    apply: 'build',
    generateBundle: {
      order: 'post', // after Vite's own, which still adds to the entry (its preload helper's list)
      handler(_, bundle) {
        const chunks = Object.values(bundle).filter((c): c is Rolldown.OutputChunk => c.type === 'chunk');
        const entry = chunks.find((c) => c.isEntry);
        if (!entry) return;
        const fail = (why: string): never => this.error(`${entry.fileName} cannot be a classic script: ${why}`);
        if (entry.code.includes(META)) fail(`it already names ${META}`);
        const program = this.parse(entry.code);
        const edits: Edit[] = [];
        let exported = '';
        for (const statement of program.body) {
          if (statement.type === 'ImportDeclaration') fail('it imports another chunk');
          if (statement.type === 'ExportDefaultDeclaration' || statement.type === 'ExportAllDeclaration') fail('it has a default export or re-exports');
          if (statement.type !== 'ExportNamedDeclaration') continue;
          if (statement.declaration || statement.source) fail('an export is not a list of local names');
          exported = statement.specifiers.map((s) => `${exportName(s.exported)}:${exportName(s.local)}`).join(',');
          edits.push([statement.start, statement.end, '']);
          const stale = assignedLater(program, new Set(statement.specifiers.map((s) => exportName(s.local))));
          if (stale.length > 0) fail(`the lazy chunks would read a stale value of ${stale.join(', ')}: assigned again after the entry ran`);
        }
        forEachNode(program, (node) => {
          if (node.type === 'MetaProperty' && node.meta?.name === 'import') edits.push([node.start, node.end, META]);
        });
        entry.code = `(function(${META}){"use strict";${SHARED}=()=>({${exported}});${splice(entry.code, edits)}\n})({url:document.currentScript.src});\n`;
        try {
          this.parse(entry.code, { sourceType: 'script' });
        } catch (e) {
          fail(`wrapped, it is not a valid script (a top-level await?): ${String(e)}`);
        }

        for (const chunk of chunks) {
          if (chunk === entry) continue;
          const wrong = (why: string): never => this.error(`${chunk.fileName} ${why}, which the classic entry script cannot serve`);
          if (chunk.dynamicImports.includes(entry.fileName)) wrong('imports the entry dynamically');
          if (!chunk.imports.includes(entry.fileName)) continue;
          const imports: Edit[] = [];
          for (const statement of this.parse(chunk.code).body) {
            if ((statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportAllDeclaration') && statement.source) wrong('re-exports');
            if (statement.type !== 'ImportDeclaration') continue;
            // Lazy chunks import each other as modules; only the entry is reached through the global.
            if (posix.join(posix.dirname(chunk.fileName), statement.source.value) !== entry.fileName) continue;
            const bindings = statement.specifiers.map((s) => {
              if (s.type === 'ImportNamespaceSpecifier') wrong('imports the entry as a namespace');
              return `${s.type === 'ImportSpecifier' ? exportName(s.imported) : 'default'}:${s.local.name}`;
            });
            imports.push([statement.start, statement.end, bindings.length ? `const{${bindings.join(',')}}=${SHARED}();` : '']);
          }
          chunk.code = splice(chunk.code, imports);
        }
      },
    },
    transformIndexHtml: {
      order: 'post',
      handler(html, { chunk }) {
        if (!chunk) return html;
        const tag = `<script type="module" crossorigin src="/${chunk.fileName}"></script>`;
        if (!html.includes(tag)) throw new Error(`index.html does not load ${chunk.fileName} as expected: ${tag}`);
        return html.replace(tag, `<script defer src="/${chunk.fileName}"></script>`);
      },
    },
  };
}

/** Replace [start, end) of the code with the text. */
type Edit = [number, number, string];

function splice(code: string, edits: Edit[]): string {
  let out = code;
  for (const [start, end, text] of [...edits].sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + text + out.slice(end);
  return out;
}

const exportName = (n: { type: 'Identifier'; name: string } | { type: 'Literal'; value: unknown }) => (n.type === 'Identifier' ? n.name : JSON.stringify(n.value));

type AstNode = { type: string; start: number; end: number; meta?: { name: string } };

/**
 * Which of these top-level bindings are assigned inside a function: after the entry ran, where a
 * lazy chunk, holding the value it read when it ran, would not see the change. Scopes are followed
 * (parameters, `var` hoisted to its function, `let`, `const`, `class` and block-level functions to
 * their block, `catch` parameters), so an inner name that shadows a shared one is not counted.
 */
export function assignedLater(program: unknown, shared: ReadonlySet<string>): string[] {
  const found = new Set<string>();
  type Node = Record<string, any> & { type: string };
  const isNode = (n: unknown): n is Node => !!n && typeof n === 'object' && typeof (n as Node).type === 'string';
  const patternNames = (p: Node | null | undefined, into: string[] = []): string[] => {
    if (!p) return into;
    if (p.type === 'Identifier') into.push(p.name);
    else if (p.type === 'ObjectPattern') for (const q of p.properties) patternNames(q.type === 'RestElement' ? q.argument : q.value, into);
    else if (p.type === 'ArrayPattern') for (const q of p.elements) patternNames(q, into);
    else if (p.type === 'RestElement') patternNames(p.argument, into);
    else if (p.type === 'AssignmentPattern') patternNames(p.left, into);
    return into;
  };
  const isFunction = (n: Node) => n.type === 'FunctionDeclaration' || n.type === 'FunctionExpression' || n.type === 'ArrowFunctionExpression';
  /** `var` names declared in a function's body, not in functions nested in it. */
  const hoisted = (n: unknown, into: string[]): string[] => {
    if (Array.isArray(n)) n.forEach((c) => hoisted(c, into));
    else if (isNode(n) && !isFunction(n)) {
      if (n.type === 'VariableDeclaration' && n.kind === 'var') n.declarations.forEach((d: Node) => patternNames(d.id, into));
      for (const [k, c] of Object.entries(n)) if (k !== 'type') hoisted(c, into);
    }
    return into;
  };
  /** Names a block's own statements declare (lexically). */
  const lexical = (statements: Node[]): string[] =>
    statements.flatMap((st) =>
      st.type === 'VariableDeclaration' && st.kind !== 'var'
        ? st.declarations.flatMap((d: Node) => patternNames(d.id))
        : (st.type === 'FunctionDeclaration' || st.type === 'ClassDeclaration') && st.id
          ? [st.id.name]
          : [],
    );
  const walk = (n: unknown, scopes: Set<string>[], inFunction: boolean): void => {
    if (Array.isArray(n)) return n.forEach((c) => walk(c, scopes, inFunction));
    if (!isNode(n)) return;
    const top = (name: string) => shared.has(name) && !scopes.some((s) => s.has(name));
    const assign = (names: string[]) => {
      if (inFunction) for (const name of names) if (top(name)) found.add(name);
    };
    if (isFunction(n)) {
      const own = new Set<string>([...n.params.flatMap((p: Node) => patternNames(p)), ...hoisted(n.body, [])]);
      if (n.type === 'FunctionExpression' && n.id) own.add(n.id.name);
      if (n.body.type === 'BlockStatement') lexical(n.body.body).forEach((name) => own.add(name));
      walk(n.params, [...scopes, own], true);
      walk(n.body.type === 'BlockStatement' ? n.body.body : n.body, [...scopes, own], true);
      return;
    }
    let inner = scopes;
    if (n.type === 'BlockStatement' || n.type === 'StaticBlock') inner = [...scopes, new Set(lexical(n.body))];
    else if (n.type === 'SwitchStatement') inner = [...scopes, new Set(lexical(n.cases.flatMap((c: Node) => c.consequent)))];
    else if (n.type === 'CatchClause') inner = [...scopes, new Set(patternNames(n.param))];
    else if ((n.type === 'ForStatement' && n.init?.type === 'VariableDeclaration' && n.init.kind !== 'var') || ((n.type === 'ForInStatement' || n.type === 'ForOfStatement') && n.left.type === 'VariableDeclaration' && n.left.kind !== 'var')) {
      const declaration = n.type === 'ForStatement' ? n.init : n.left;
      inner = [...scopes, new Set(declaration.declarations.flatMap((d: Node) => patternNames(d.id)))];
    } else if (n.type === 'ClassExpression' && n.id) inner = [...scopes, new Set([n.id.name])];
    if (n.type === 'AssignmentExpression') assign(patternNames(n.left));
    if (n.type === 'UpdateExpression') assign(patternNames(n.argument));
    if ((n.type === 'ForInStatement' || n.type === 'ForOfStatement') && n.left.type !== 'VariableDeclaration') assign(patternNames(n.left));
    for (const [k, c] of Object.entries(n)) if (k !== 'type') walk(c, inner, inFunction);
  };
  walk(program, [], false);
  return [...found].sort();
}

function forEachNode(node: unknown, visit: (node: AstNode) => void): void {
  if (!node || typeof node !== 'object') return;
  if (!Array.isArray(node) && typeof (node as AstNode).type === 'string') visit(node as AstNode);
  for (const child of Object.values(node)) forEachNode(child, visit);
}

export default defineConfig({
  plugins: [
    preact(),
    classicEntryScript(),
    leadDashboard(),
    serviceWorkerSync(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'sw',
      filename: 'sw.ts',
      injectRegister: false,
      manifest: {
        name: 'Fieldpen',
        short_name: 'Fieldpen',
        description: 'Collect petition signatures door to door, with or without a network.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'any',
        background_color: '#ffffff',
        theme_color: '#1d4ed8',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      // The lead dashboard is a second page of the same build but never part of a volunteer's
      // offline app: its page and its own assets stay out of the precache (tests/unit/lead-bundle.test.ts).
      injectManifest: { globPatterns: ['**/*.{js,css,html}'], globIgnores: ['lead.html', 'lead/**', 'assets/lead-*', 'sw-sync.js'] },
      devOptions: { enabled: false },
    }),
  ],
  resolve: { alias: [DEXIE_MODERN] },
  define: { __APP_VERSION__: APP_VERSION },
  build: {
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
    rollupOptions: { input: { index: 'index.html' } },
  },
  test: {
    include: ['tests/{unit,server,browser,chaos}/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 180_000,
    globalSetup: ['tests/global-setup.ts'],
  },
});
