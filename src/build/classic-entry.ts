// The volunteer app's entry as a classic script (`<script defer>`), not a module. Chromium compiles the
// scripts a service worker caches while it installs and keeps their code cache in Cache Storage, read
// off the main thread when the page loads them — for classic scripts only: a module's cache is never
// read there ("ModuleScript doesn't support off-thread cache consumption", Blink's script_streamer.cc),
// so the entry was compiled again on every start of the browser (90–130 ms of background compile on the
// bench machine; from the script's arrival to DOMContentLoaded is about 50 ms shorter now, and a trace
// shows the cache consumed: `v8.compile` with `cacheKind: "full"`).
//
// The entry is wrapped in a strict function: a module's scope and strictness, no globals. What the lazy
// chunks import from it, they take from one global function when they run, which is after the entry
// ran (only its `import()` loads them): the values then, not live bindings — right for what the entry
// shares (functions, classes, and variables assigned as the entry runs); the build fails on a shared
// binding a function assigns again (`assignedLater`). `import.meta.url` is the script's address. The
// build fails on anything else a module could do.
import { posix } from 'node:path';
import { analyze, type Scope } from 'eslint-scope';
import type { Program } from 'estree';
import MagicString from 'magic-string';
import type { Plugin, Rolldown } from 'vite';

const SHARED = 'self.__fieldpenEntry';
const META = 'entryMeta';

type Parse = Rolldown.PluginContext['parse'];
type Fail = (message: string) => never;

export function classicEntryScript(): Plugin {
  return {
    name: 'fieldpen-classic-entry',
    apply: 'build',
    generateBundle: {
      order: 'post', // after Vite's own, which still adds to the entry (its preload helper's list)
      handler(_, bundle) {
        const chunks = Object.values(bundle).filter((c): c is Rolldown.OutputChunk => c.type === 'chunk');
        rewriteAsClassic(
          chunks,
          (code, options) => this.parse(code, options),
          (message) => this.error(message),
        );
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

/** Rewrite the entry chunk as a classic script and the chunks that import it to read the global; in place. */
export function rewriteAsClassic(
  chunks: Pick<Rolldown.OutputChunk, 'fileName' | 'code' | 'isEntry' | 'imports' | 'dynamicImports'>[],
  parse: Parse,
  error: Fail,
): void {
  const entry = chunks.find((c) => c.isEntry);
  if (!entry) return;
  const fail = (why: string): never => error(`${entry.fileName} cannot be a classic script: ${why}`);
  if (entry.code.includes(META)) fail(`it already names ${META}`);
  // Ranges and no parenthesized-expression nodes: the plain ESTree that eslint-scope reads.
  const program = parse(entry.code, { range: true, preserveParens: false });
  const code = new MagicString(entry.code);
  let exported = '';
  for (const statement of program.body) {
    if (statement.type === 'ImportDeclaration') fail('it imports another chunk');
    if (statement.type === 'ExportDefaultDeclaration' || statement.type === 'ExportAllDeclaration') fail('it has a default export or re-exports');
    if (statement.type !== 'ExportNamedDeclaration') continue;
    if (statement.declaration || statement.source) fail('an export is not a list of local names');
    exported = statement.specifiers.map((s) => `${exportName(s.exported)}:${exportName(s.local)}`).join(',');
    code.remove(statement.start, statement.end);
    const stale = assignedLater(program as unknown as Program, new Set(statement.specifiers.map((s) => exportName(s.local))));
    if (stale.length > 0) fail(`the lazy chunks would read a stale value of ${stale.join(', ')}: assigned again after the entry ran`);
  }
  forEachNode(program, (node) => {
    if (node.type === 'MetaProperty' && node.meta?.name === 'import') code.overwrite(node.start, node.end, META);
  });
  code.prepend(`(function(${META}){"use strict";${SHARED}=()=>({${exported}});`).append(`\n})({url:document.currentScript.src});\n`);
  entry.code = code.toString();
  try {
    parse(entry.code, { sourceType: 'script' });
  } catch (e) {
    fail(`wrapped, it is not a valid script (a top-level await?): ${String(e)}`);
  }

  for (const chunk of chunks) {
    if (chunk === entry) continue;
    const wrong = (why: string): never => error(`${chunk.fileName} ${why}, which the classic entry script cannot serve`);
    if (chunk.dynamicImports.includes(entry.fileName)) wrong('imports the entry dynamically');
    if (!chunk.imports.includes(entry.fileName)) continue;
    const imports = new MagicString(chunk.code);
    for (const statement of parse(chunk.code).body) {
      if ((statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportAllDeclaration') && statement.source) wrong('re-exports');
      if (statement.type !== 'ImportDeclaration') continue;
      // Lazy chunks import each other as modules; only the entry is reached through the global.
      if (posix.join(posix.dirname(chunk.fileName), statement.source.value) !== entry.fileName) continue;
      const bindings = statement.specifiers.map((s) => {
        if (s.type === 'ImportNamespaceSpecifier') wrong('imports the entry as a namespace');
        return `${s.type === 'ImportSpecifier' ? exportName(s.imported) : 'default'}:${s.local.name}`;
      });
      if (bindings.length) imports.overwrite(statement.start, statement.end, `const{${bindings.join(',')}}=${SHARED}();`);
      else imports.remove(statement.start, statement.end);
    }
    chunk.code = imports.toString();
  }
}

const exportName = (n: { type: 'Identifier'; name: string } | { type: 'Literal'; value: unknown }) =>
  n.type === 'Identifier' ? n.name : JSON.stringify(n.value);

type AstNode = { type: string; start: number; end: number; meta?: { name: string } };

function forEachNode(node: unknown, visit: (node: AstNode) => void): void {
  if (!node || typeof node !== 'object') return;
  if (!Array.isArray(node) && typeof (node as AstNode).type === 'string') visit(node as AstNode);
  for (const child of Object.values(node)) forEachNode(child, visit);
}

/**
 * Which of these top-level bindings are assigned inside a function (or a class field's initializer):
 * after the entry ran, where a lazy chunk, holding the value it read when it ran, would not see the
 * change. eslint-scope resolves each assignment to its binding, so an inner name that shadows a
 * shared one is not counted.
 */
export function assignedLater(program: Program, shared: ReadonlySet<string>): string[] {
  const scopes = analyze(program, { ecmaVersion: 2022, sourceType: 'module', fallback: 'iteration' });
  const module = scopes.globalScope?.childScopes.find((s) => s.type === 'module');
  if (!module) return [];
  const runsLater = (from: Scope | null): boolean => {
    for (let s = from; s && s !== module; s = s.upper) if (s.type === 'function' || s.type === 'class-field-initializer') return true;
    return false;
  };
  return module.variables
    .filter((v) => shared.has(v.name) && v.references.some((r) => r.isWrite() && runsLater(r.from)))
    .map((v) => v.name)
    .sort();
}
