/**
 * Number formatting for fields written to Redis (contract §2.3).
 *
 * `formatFixed` rounds the exact binary value of `x` to `decimals` places, exact ties to even,
 * which is what Python's `'%.Nf' % x` does (`0.125` → `"0.12"`, `0.375` → `"0.38"`,
 * `2.675` → `"2.67"` because the double nearest 2.675 is below it).
 *
 * How: ECMAScript `toFixed` already rounds the exact binary value correctly except that it breaks
 * ties away from zero. A double is an exact tie at `d` decimals iff `x * 2^(d+1)` is an odd
 * integer (x = M·2^E with M odd is a tie iff E = -(d+1)); that product is exact in binary. On a
 * tie whose rounded last digit is odd, step that digit down by one (towards zero, no borrow
 * possible since the digit is odd).
 */
const POW2: number[] = [];
for (let d = 0; d <= 101; d++) POW2.push(2 ** d);

const ZEROS = '0'.repeat(100);

export function formatFixed(x: number | null | undefined, decimals: number): string {
  if (typeof x !== 'number' || x !== x || x === Infinity || x === -Infinity) return '';
  if (!(decimals >= 0 && decimals <= 100 && Math.floor(decimals) === decimals)) {
    throw new RangeError(`decimals must be an integer from 0 to 100, got ${decimals}`);
  }
  const neg = x < 0 || Object.is(x, -0);
  const a = neg ? -x : x;
  let s: string;
  if (a >= 1e21) {
    // toFixed switches to exponent form here; such doubles are integers.
    s = BigInt(a).toString();
    if (decimals > 0) s += '.' + ZEROS.slice(0, decimals);
  } else {
    s = a.toFixed(decimals);
    const y = a * POW2[decimals + 1];
    if (y % 2 === 1) {
      // exact tie, toFixed rounded up: make the last digit even
      const last = s.charCodeAt(s.length - 1);
      if ((last & 1) === 1) s = s.slice(0, -1) + String.fromCharCode(last - 1);
    }
  }
  return neg ? '-' + s : s;
}

/**
 * The shortest decimal that parses back to the same double (ECMAScript `Number::toString`):
 * plain notation from 1e-6 up to 1e21, exponent form (`1e-7`, `1e+21`) outside it. `-0` → `"0"`.
 * Unknown values (`undefined`, `null`, NaN, ±Infinity) → `""`.
 */
export function formatShortest(x: number | null | undefined): string {
  if (typeof x !== 'number' || x !== x || x === Infinity || x === -Infinity) return '';
  return String(x);
}
