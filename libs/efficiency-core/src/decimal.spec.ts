import fc from 'fast-check';
import { isPlainInteger, parseDecimal } from './decimal';

describe('parseDecimal', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['+1', 1],
    ['-1', -1],
    ['0.65', 0.65],
    ['007', 7],
    ['00.50', 0.5],
    ['1e-05', 1e-5],
    ['2.5E+3', 2500],
    ['2.5e3', 2500],
    ['1E2', 100],
    ['-2.5e-3', -0.0025],
    ['1699999990', 1699999990],
    ['1700000000.25', 1700000000.25],
    ['1e-999', 0],
    ['1.7976931348623157e308', Number.MAX_VALUE],
    ['0.1234567890123456789', Number('0.1234567890123456789')],
    ['123456789012345678', Number('123456789012345678')],
    ['1e22', 1e22],
    ['1e23', 1e23],
    ['1e-22', 1e-22],
    ['1e-23', 1e-23],
    ['1e000000000000000000001', 10],
    ['0e12345678', 0],
    ['1e-12345678', 0],
  ])('accepts %j as %p', (raw, value) => {
    expect(parseDecimal(raw)).toBe(value);
  });

  it('keeps the sign of zero', () => {
    expect(Object.is(parseDecimal('-0'), -0)).toBe(true);
    expect(Object.is(parseDecimal('0.0'), 0)).toBe(true);
  });

  it.each([
    '', ' ', '+', '-', '.', '.5', '5.', '-.5', '+.5', '1.e5', 'e5', '1e', '1e+', '1e-', '1e5.5', '1.2.3', '--1', '+-1', '1-', '1+1',
    ' 1', '1 ', '1\n', '\t1', '1_000', '1,5', '0x10', '0b1', '0o7', 'NaN', 'nan', 'Infinity', '-Infinity', 'inf', 'abc', '1abc',
    '0.65 # note', '1e999', '1e12345678', '-1e999', '1e400', '٣', '１', '1ee5', '1E+-5',
  ])('rejects %j', (raw) => {
    expect(parseDecimal(raw)).toBeUndefined();
  });

  it('round-trips every finite double through its shortest text', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(parseDecimal(String(x))).toBe(x === 0 ? 0 : x);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Number() on every string of the grammar', () => {
    const digits = fc.string({ unit: fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7', '8', '9'), minLength: 1, maxLength: 25 });
    const text = fc
      .tuple(fc.constantFrom('', '+', '-'), digits, fc.option(digits), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }))))
      .map(([sign, int, frac, exp]) => `${sign}${int}${frac === null ? '' : '.' + frac}${exp === null ? '' : exp[0] + exp[1] + exp[2]}`);
    fc.assert(
      fc.property(text, (raw) => {
        const expected = Number(raw);
        const got = parseDecimal(raw);
        if (Number.isFinite(expected)) expect(Object.is(got, expected)).toBe(true);
        else expect(got).toBeUndefined();
      }),
      { numRuns: 5000 },
    );
  });
});

describe('isPlainInteger', () => {
  it.each(['0', '12', '+3', '-4', '007'])('accepts %j', (raw) => expect(isPlainInteger(raw)).toBe(true));
  it.each(['', '+', '-', '1.0', '1e3', ' 1', 'a', '1a'])('rejects %j', (raw) => expect(isPlainInteger(raw)).toBe(false));
});
