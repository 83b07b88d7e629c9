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
 * The scan validates with character codes only, then lets `Number()` do the correctly rounded
 * conversion (it accepts a superset of this grammar).
 */
export function parseDecimal(raw: string): number | undefined {
  const n = raw.length;
  let i = 0;
  let c = n > 0 ? raw.charCodeAt(0) : 0;
  if (c === 43 /* + */ || c === 45 /* - */) {
    i = 1;
  }
  // integer part: at least one digit
  const intStart = i;
  while (i < n) {
    c = raw.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === intStart) return undefined;
  if (i < n && raw.charCodeAt(i) === 46 /* . */) {
    i++;
    const fracStart = i;
    while (i < n) {
      c = raw.charCodeAt(i);
      if (c < 48 || c > 57) break;
      i++;
    }
    if (i === fracStart) return undefined;
  }
  if (i < n) {
    c = raw.charCodeAt(i);
    if (c !== 101 /* e */ && c !== 69 /* E */) return undefined;
    i++;
    if (i < n) {
      c = raw.charCodeAt(i);
      if (c === 43 || c === 45) i++;
    }
    const expStart = i;
    while (i < n) {
      c = raw.charCodeAt(i);
      if (c < 48 || c > 57) return undefined;
      i++;
    }
    if (i === expStart) return undefined;
  }
  const value = Number(raw);
  return value === Infinity || value === -Infinity ? undefined : value;
}

/** True when `raw` is an optionally signed run of decimal digits (no point, no exponent). */
export function isPlainInteger(raw: string): boolean {
  const n = raw.length;
  let i = 0;
  if (n > 0) {
    const c = raw.charCodeAt(0);
    if (c === 43 || c === 45) i = 1;
  }
  if (i === n) return false;
  for (; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
