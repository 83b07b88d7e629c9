import { createHash } from 'node:crypto';
import backlogLua from '../consumer/stream-backlog.lua';
import { luaScript } from './lua-script';

describe('luaScript: includes resolved when the script text is composed', () => {
  it('replaces each -- @include line by the include, and hashes the result', () => {
    const s = luaScript('main', 'local a = 1\n-- @include part\nreturn f(a)\n', { part: 'local function f(x)\n  return x\nend\n' });
    expect(s.source).toBe('local a = 1\nlocal function f(x)\n  return x\nend\nreturn f(a)\n');
    expect(s.sha).toBe(createHash('sha1').update(s.source).digest('hex'));
    expect(s.name).toBe('main');
  });

  it('resolves includes of includes, each placed once', () => {
    const s = luaScript('main', '-- @include a\n-- @include b\nreturn 1\n', { a: '-- @include b\nlocal A = 1', b: 'local B = 2' });
    expect(s.source).toBe('local B = 2\nlocal A = 1\n-- b: placed above\nreturn 1\n');
  });

  it('a script without includes is its own text', () => {
    expect(luaScript('plain', 'return 1\n').source).toBe('return 1\n');
  });

  it('names the script and the missing include', () => {
    expect(() => luaScript('decide', '-- @include gate-state\n', { claim: '' })).toThrow('script decide: decide includes gate-state, which is not given (includes given: claim)');
  });

  it('refuses a cycle', () => {
    expect(() => luaScript('s', '-- @include a\n', { a: '-- @include b', b: '-- @include a' })).toThrow('script s: includes form a cycle: s -> a -> b -> a');
  });

  it('a .lua file imports as its text (Jest transform, like the bundle and tsx)', () => {
    expect(backlogLua).toMatch(/^--\[\[\n {2}stream-backlog:/);
  });
});
