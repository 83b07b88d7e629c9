import './lua-file-loader';
import { createHash } from 'node:crypto';

/** A Redis script ready to send: its text with every include in place, and that text's SHA1. */
export interface LuaScript {
  /** Names the script in errors and logs. */
  readonly name: string;
  readonly source: string;
  /** What Redis calls the script after SCRIPT LOAD (EVALSHA). */
  readonly sha: string;
}

/** `-- @include <name>` on a line of its own. */
const INCLUDE_LINE = /^[ \t]*--[ \t]*@include[ \t]+([\w-]+)[ \t]*$/gm;

/**
 * The script `name` from its main file's text, each `-- @include <name>` line replaced by the
 * text of that include (includes may include others; each is placed once, where it is first
 * named). This is the one place includes are resolved.
 */
export function luaScript(name: string, main: string, includes: Readonly<Record<string, string>> = {}): LuaScript {
  const placed = new Set<string>();
  const resolve = (text: string, chain: readonly string[]): string =>
    text.replace(INCLUDE_LINE, (_, include: string) => {
      if (chain.includes(include)) throw new Error(`script ${name}: includes form a cycle: ${[...chain, include].join(' -> ')}`);
      const body = includes[include];
      if (body === undefined) {
        const known = Object.keys(includes).join(', ') || 'none';
        throw new Error(`script ${name}: ${chain.at(-1)} includes ${include}, which is not given (includes given: ${known})`);
      }
      if (placed.has(include)) return `-- ${include}: placed above`;
      placed.add(include);
      return resolve(body, [...chain, include]).replace(/\n$/, '');
    });
  const source = resolve(main, [name]);
  return { name, source, sha: createHash('sha1').update(source).digest('hex') };
}
