/**
 * Round to the nearest integer, exact ties (x.5, exact in binary) to the even neighbour, like
 * Python's `round()`. Non-finite input is returned unchanged.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f; // exact for every finite double
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Clamp `x` into [lo, hi] (lo <= hi assumed). */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
