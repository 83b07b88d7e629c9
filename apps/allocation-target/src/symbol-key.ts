/**
 * The symbol of a key found under `prefix`, or undefined when the key is not a target key:
 * a remainder with a further `:` segment (e.g. `...:target:proposed:BTCUSDT`), an empty or
 * too long remainder, or any character outside `[A-Za-z0-9._-]`. The remainder must match
 * `SYMBOL_PATTERN` (@quantum/config), checked here character by character: the hot path.
 */
export function symbolFromKey(key: string, prefix: string): string | undefined {
  if (key.length <= prefix.length || !key.startsWith(prefix)) return undefined;
  const rest = key.slice(prefix.length);
  if (rest.length > 40) return undefined;
  for (let i = 0; i < rest.length; i++) {
    const c = rest.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) || // 0-9
      (c >= 65 && c <= 90) || // A-Z
      (c >= 97 && c <= 122) || // a-z
      c === 46 || c === 95 || c === 45; // . _ -
    if (!ok) return undefined;
  }
  return rest;
}

/** `prefix*` as a SCAN MATCH glob, with the glob's special characters in the prefix escaped. */
export function scanPatternFor(prefix: string): string {
  return prefix.replace(/[\\*?[\]]/g, (c) => `\\${c}`) + '*';
}
