import type { Prng } from './prng';
import type { SymbolInfo } from './symbols';

/** Picks symbols in proportion to `1 / (rank + 3)`: liquid names get most of the plans. */
export class SymbolPicker {
  private readonly cumulative: number[] = [];

  constructor(private readonly symbols: readonly SymbolInfo[]) {
    if (symbols.length === 0) throw new Error('SymbolPicker: the universe is empty');
    let acc = 0;
    for (const s of symbols) {
      acc += 1 / (s.rank + 3);
      this.cumulative.push(acc);
    }
  }

  pick(rng: Prng): SymbolInfo {
    const r = rng.next() * this.cumulative[this.cumulative.length - 1];
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return this.symbols[lo];
  }
}
