// The classic entry script (src/build/classic-entry.ts): the entry chunk wrapped as a classic script,
// the lazy chunks reading its bindings from one global. It hands its bindings over as values read when
// each chunk runs, so the build refuses a binding that is assigned again later, inside a function: a
// chunk would keep the old value. Inner names that shadow a shared one do not count.
import type { Program } from 'estree';
import { Script } from 'node:vm';
import { parseSync, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { assignedLater, rewriteAsClassic } from './classic-entry';

/** As the plugin context's `parse`: throws on a syntax error. */
const parse = (code: string, options?: ParserOptions | null) => {
  const { program, errors } = parseSync('chunk.js', code, { sourceType: 'module', range: true, preserveParens: false, ...options });
  if (errors.length > 0) throw new SyntaxError(errors[0]!.message);
  return program;
};
type ParserOptions = Parameters<Rolldown.PluginContext['parse']>[1];
const later = (code: string, shared: string[]) => assignedLater(parse(code) as unknown as Program, new Set(shared));
const fail = (message: string): never => {
  throw new Error(message);
};

describe('bindings the entry shares with lazy chunks', () => {
  it('refuses one a function assigns, however it is assigned', () => {
    expect(later('let a = 1; function f() { a = 2 } export { a }', ['a'])).toEqual(['a']);
    expect(later('let a; function h() { { let a; } a = 3 }', ['a'])).toEqual(['a']);
    expect(later('let a; function k() { for (const a of x) {} a++ }', ['a'])).toEqual(['a']);
    expect(later('let a, b; const n = () => { [a, { q: b }] = x }', ['a', 'b'])).toEqual(['a', 'b']);
    expect(later('let a; function r() { for (a in x); }', ['a'])).toEqual(['a']);
    expect(later('var a; class C { m() { a = 1 } }', ['a'])).toEqual(['a']);
    expect(later('let a; class C { f = (a = 2) }', ['a'])).toEqual(['a']);
  });

  it('accepts one assigned while the entry runs, and inner names that shadow it', () => {
    expect(later('let a = 1; a = 3; export { a }', ['a'])).toEqual([]);
    expect(later('let a; function g(a) { a = 2 }', ['a'])).toEqual([]);
    expect(later('let a; function h() { { let a; a = 3 } }', ['a'])).toEqual([]);
    expect(later('let a; function m() { var a; if (x) { a = 1 } }', ['a'])).toEqual([]);
    expect(later('let a; function p() { try {} catch (a) { a = 1 } }', ['a'])).toEqual([]);
    expect(later('let a; const k = () => { for (let a of x) { a = 1 } }', ['a'])).toEqual([]);
    expect(later('var a; (function a2() { var a = 1; a = 2 })()', ['a'])).toEqual([]);
    expect(later('let a; function f() { b = 1 }', ['a'])).toEqual([]);
    expect(later('let a; class C { static { a = 1 } }', ['a'])).toEqual([]);
  });
});

describe('the rewrite of a bundle', () => {
  const bundle = () => [
    {
      fileName: 'assets/index-1.js',
      isEntry: true,
      imports: [],
      dynamicImports: ['assets/today-2.js'],
      code: 'function f(){return import.meta.url}const b=1;import("./today-2.js");export{f as a,b};',
    },
    {
      fileName: 'assets/today-2.js',
      isEntry: false,
      imports: ['assets/index-1.js'],
      dynamicImports: [],
      code: 'import{a as f,b}from"./index-1.js";import"./index-1.js";export const t=()=>f()+b;',
    },
  ];

  it('makes the entry a strict classic script that hands its exports to a global, and import.meta its address', () => {
    const [entry, lazy] = bundle();
    rewriteAsClassic([entry!, lazy!], parse, fail);
    expect(entry!.code).toBe(
      '(function(entryMeta){"use strict";self.__fieldpenEntry=()=>({a:f,b:b});function f(){return entryMeta.url}const b=1;import("./today-2.js");\n})({url:document.currentScript.src});\n',
    );
    expect(() => new Script(entry!.code)).not.toThrow();
    expect(lazy!.code).toBe('const{a:f,b:b}=self.__fieldpenEntry();export const t=()=>f()+b;');
  });

  it('fails the build on what a classic script cannot do', () => {
    const stale = bundle();
    stale[0]!.code = 'let b=1;function g(){b=2}export{g as a,b};';
    expect(() => rewriteAsClassic(stale, parse, fail)).toThrow(/stale value of b/);
    const awaits = bundle();
    awaits[0]!.code = 'const b=await fetch("/");export{b};';
    expect(() => rewriteAsClassic(awaits, parse, fail)).toThrow(/not a valid script/);
    const namespace = bundle();
    namespace[1]!.code = 'import*as e from"./index-1.js";';
    expect(() => rewriteAsClassic(namespace, parse, fail)).toThrow(/imports the entry as a namespace/);
  });
});
