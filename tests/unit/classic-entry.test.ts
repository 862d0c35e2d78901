// The classic entry script (vite.config.ts) hands its bindings to the lazy chunks as values read when
// each chunk runs. The build refuses a binding that is assigned again later, inside a function: a
// chunk would keep the old value. Inner names that shadow a shared one do not count.
import { parseSync } from 'vite';
import { describe, expect, it } from 'vitest';
import { assignedLater } from '../../vite.config';

const later = (code: string, shared: string[]) => assignedLater(parseSync('entry.js', code, { sourceType: 'module' }).program, new Set(shared));

describe('bindings the entry shares with lazy chunks', () => {
  it('refuses one a function assigns, however it is assigned', () => {
    expect(later('let a = 1; function f() { a = 2 } export { a }', ['a'])).toEqual(['a']);
    expect(later('let a; function h() { { let a; } a = 3 }', ['a'])).toEqual(['a']);
    expect(later('let a; function k() { for (const a of x) {} a++ }', ['a'])).toEqual(['a']);
    expect(later('let a, b; const n = () => { [a, { q: b }] = x }', ['a', 'b'])).toEqual(['a', 'b']);
    expect(later('let a; function r() { for (a in x); }', ['a'])).toEqual(['a']);
    expect(later('var a; class C { m() { a = 1 } }', ['a'])).toEqual(['a']);
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
  });
});
