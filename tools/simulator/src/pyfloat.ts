/**
 * Numbers written the way the Python producers write them with `str()`:
 * floats use the shortest round-trip digits, fixed notation when the decimal exponent is in
 * [-4, 16) (always with a fractional part: `1.0`, `0.5`), scientific otherwise with a signed,
 * at least two-digit exponent (`1e-05`, `2.5e-07`, `1e+16`). Integers (`int`) have no `.0`.
 */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, expText] = Math.abs(x).toExponential().split('e');
  const exp = Number(expText);
  const digits = mantissa.replace('.', '');
  if (exp >= -4 && exp < 16) {
    let text: string;
    if (exp < 0) {
      text = '0.' + '0'.repeat(-exp - 1) + digits;
    } else if (digits.length > exp + 1) {
      text = digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
    } else {
      text = digits + '0'.repeat(exp + 1 - digits.length) + '.0';
    }
    return sign + text;
  }
  const expSign = exp < 0 ? '-' : '+';
  const expDigits = String(Math.abs(exp)).padStart(2, '0');
  return `${sign}${mantissa}e${expSign}${expDigits}`;
}

/** Python `str(int)`. */
export function pyIntStr(x: number): string {
  return String(Math.trunc(x));
}

/** Python `str(round(x, n))`. */
export function pyRoundStr(x: number, decimals: number): string {
  const factor = 10 ** decimals;
  return pyFloatStr(Math.round(x * factor) / factor);
}
