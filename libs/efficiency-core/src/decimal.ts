/**
 * Strict "plain decimal" parser shared by the efficiency reading, target parsing and the
 * configuration catalogue.
 *
 * Grammar (nothing else is accepted):
 *
 *     [+-]? DIGITS ( "." DIGITS )? ( [eE] [+-]? DIGITS )?
 *
 * - digits are required on both sides of a decimal point: `.5` and `5.` are refused;
 * - no whitespace, no `_`, no hex/octal/binary, no `NaN`/`Infinity`, no empty string;
 * - the value must be finite: `1e999` is refused (underflow such as `1e-999` gives 0).
 *
 * The scan validates with character codes only and converts short inputs itself (Clinger's
 * exact fast path); longer ones go to `Number()`, which is correctly rounded and accepts a
 * superset of this grammar. Either way the result is exactly `Number(raw)`.
 */
// `charCodeAt` through a captured reference: once any loaded code subclasses String (ioredis does:
// `class VerbatimString extends String`), V8 stops inlining `raw.charCodeAt(i)` method lookups and
// this parser gets ~5x slower; `charCodeAt.call(raw, i)` on the captured builtin stays inlined.
const charCodeAt = String.prototype.charCodeAt;

const POW10: readonly number[] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

export function parseDecimal(raw: string): number | undefined {
  const n = raw.length;
  let i = 0;
  let c = n > 0 ? charCodeAt.call(raw, 0) : 0;
  let neg = false;
  if (c === 45 /* - */) {
    neg = true;
    i = 1;
  } else if (c === 43 /* + */) {
    i = 1;
  }
  // Digits accumulate into `mant` (exact while at most 15 significant digits), `scale` counts
  // the fraction digits, `sig` the significant digits seen.
  let mant = 0;
  let sig = 0;
  let scale = 0;
  const intStart = i;
  while (i < n) {
    c = charCodeAt.call(raw, i) - 48;
    if (c < 0 || c > 9) break;
    if (sig > 0 || c !== 0) sig++;
    mant = mant * 10 + c;
    i++;
  }
  if (i === intStart) return undefined;
  if (i < n && charCodeAt.call(raw, i) === 46 /* . */) {
    i++;
    const fracStart = i;
    while (i < n) {
      c = charCodeAt.call(raw, i) - 48;
      if (c < 0 || c > 9) break;
      if (sig > 0 || c !== 0) sig++;
      mant = mant * 10 + c;
      i++;
    }
    scale = i - fracStart;
    if (scale === 0) return undefined;
  }
  let exp = 0;
  if (i < n) {
    c = charCodeAt.call(raw, i);
    if (c !== 101 /* e */ && c !== 69 /* E */) return undefined;
    i++;
    let expNeg = false;
    if (i < n) {
      c = charCodeAt.call(raw, i);
      if (c === 45) {
        expNeg = true;
        i++;
      } else if (c === 43) {
        i++;
      }
    }
    const expStart = i;
    while (i < n) {
      c = charCodeAt.call(raw, i) - 48;
      if (c < 0 || c > 9) return undefined;
      if (exp < 1e6) exp = exp * 10 + c;
      i++;
    }
    if (i === expStart) return undefined;
    if (expNeg) exp = -exp;
  }
  // Clinger's fast path: an exact integer mantissa (< 2^53) times or divided by an exact power
  // of ten (<= 1e22) is one correctly rounded operation, so it equals Number(raw).
  const e10 = exp - scale;
  if (sig <= 15 && e10 >= -22 && e10 <= 22) {
    const v = e10 < 0 ? mant / POW10[-e10] : mant * POW10[e10];
    return neg ? -v : v;
  }
  const value = Number(raw);
  return value === Infinity || value === -Infinity ? undefined : value;
}

/** True when `raw` is an optionally signed run of decimal digits (no point, no exponent). */
export function isPlainInteger(raw: string): boolean {
  const n = raw.length;
  let i = 0;
  if (n > 0) {
    const c = charCodeAt.call(raw, 0);
    if (c === 43 || c === 45) i = 1;
  }
  if (i === n) return false;
  for (; i < n; i++) {
    const c = charCodeAt.call(raw, i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
