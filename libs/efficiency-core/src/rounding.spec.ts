import fc from 'fast-check';
import { clamp, roundHalfEven } from './rounding';

describe('roundHalfEven', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [118.5, 118],
    [117.5, 118],
    [-0.5, 0],
    [-1.5, -2],
    [-2.5, -2],
    [0.49999999999999994, 0],
    [1.4, 1],
    [1.6, 2],
    [-1.4, -1],
    [-1.6, -2],
    [7, 7],
    [2 ** 53, 2 ** 53],
    [1e300, 1e300],
  ])('%p → %p', (x, expected) => {
    expect(roundHalfEven(x)).toBe(expected);
  });

  it('passes non-finite values through', () => {
    expect(roundHalfEven(NaN)).toBeNaN();
    expect(roundHalfEven(Infinity)).toBe(Infinity);
  });

  it('is within 0.5 of its input, an integer, and even on exact ties', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e15, max: 1e15, noNaN: true }), (x) => {
        const r = roundHalfEven(x);
        expect(Number.isInteger(r)).toBe(true);
        expect(Math.abs(r - x)).toBeLessThanOrEqual(0.5);
        if (Math.abs(r - x) === 0.5) expect(r % 2 === 0).toBe(true);
      }),
    );
  });
});

describe('clamp', () => {
  it('bounds', () => {
    expect(clamp(-1, 0, 1)).toBe(0);
    expect(clamp(2, 0, 1)).toBe(1);
    expect(clamp(0.3, 0, 1)).toBe(0.3);
  });
});
