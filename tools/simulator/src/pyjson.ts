import { pyFloatStr } from './pyfloat';

/**
 * A number that Python holds as a `float`: JavaScript cannot tell `50` from `50.0`, but
 * `json.dumps` writes them differently (`50` for an int, `50.0` for a float).
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

export type PyJsonValue = string | number | boolean | null | PyFloat | readonly PyJsonValue[] | { readonly [key: string]: PyJsonValue };

/**
 * Python's `json.dumps(value)` with its defaults: `", "` between items, `": "` after keys,
 * floats as `repr()` (the shortest round trip, `50.0`, `1e-05`), non-ASCII escaped as `\uXXXX`.
 * Plain JavaScript numbers must be integers (Python ints); floats come wrapped in `PyFloat`.
 */
export function pyJsonDumps(value: PyJsonValue): string {
  if (value === null) return 'null';
  if (value instanceof PyFloat) return pyFloatJson(value.value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return pyJsonString(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`pyJsonDumps: ${value} is not a Python int; wrap floats in PyFloat`);
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: PyJsonValue) => pyJsonDumps(v)).join(', ')}]`;
  const entries = Object.entries(value as { readonly [key: string]: PyJsonValue });
  return `{${entries.map(([k, v]) => `${pyJsonString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
}

/** `json.dumps` writes non-finite floats as JavaScript literals (allow_nan=True). */
function pyFloatJson(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return pyFloatStr(x);
}

function pyJsonString(text: string): string {
  // JSON.stringify escapes like Python except that Python (ensure_ascii) also escapes non-ASCII
  return JSON.stringify(text).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
