import { Prng } from './prng';
import { pyFloatStr, pyIntStr } from './pyfloat';
import type { SymbolInfo } from './symbols';

/** The current price of a symbol, as the producers of plans see it. */
export interface PriceBook {
  priceOf(symbol: string): number;
}

export interface MarketRecord {
  symbol: string;
  price: number;
  /** The websocket feed's hash fields (`bybit`: price, volume, bid, ask, ts). */
  fields: Record<string, string>;
}

interface SymbolMarket {
  price: number;
  /** 24 h volume in base units; wanders around the liquidity-derived level. */
  volume: number;
  baseVolume: number;
  /** Half the bid/ask spread as a fraction of the price: tighter for liquid names. */
  halfSpread: number;
}

/** Per tick: log-price step sd (the random walk), volume mean reversion and noise. */
const PRICE_STEP_SD = 0.002;
const VOLUME_REVERSION = 0.05;
const VOLUME_NOISE_SD = 0.03;

/**
 * The market feed: one random-walk price per symbol, starting at its reference price and
 * stepping once per tick, with a spread and a 24 h volume around it. Plans read the price
 * between ticks without moving it, so the feed a governor reads and the sizes of the plans
 * agree, and the number of plans drawn never changes the ticks.
 */
export class MarketModel implements PriceBook {
  private readonly state = new Map<string, SymbolMarket>();
  private readonly rng: Prng;

  constructor(seed: number, private readonly symbols: readonly SymbolInfo[]) {
    this.rng = Prng.derive(seed, 'market');
    for (const s of symbols) {
      // roughly 2e9 USD a day for the most liquid name, falling with rank
      const baseVolume = 2e9 / (s.rank + 1) / s.price;
      this.state.set(s.symbol, { price: s.price, volume: baseVolume, baseVolume, halfSpread: 0.00002 * (1 + s.rank / 10) });
    }
  }

  priceOf(symbol: string): number {
    const st = this.state.get(symbol);
    if (!st) throw new Error(`market: ${symbol} is not in the simulated universe`);
    return st.price;
  }

  /** Moves every price one step and returns the hashes the feed writes at `nowSec`. */
  tick(nowSec: number): MarketRecord[] {
    const ts = pyIntStr(Math.floor(nowSec));
    return this.symbols.map((s) => {
      const st = this.state.get(s.symbol) as SymbolMarket;
      st.price *= Math.exp(this.rng.normal(0, PRICE_STEP_SD));
      st.volume = Math.max(0, st.volume + VOLUME_REVERSION * (st.baseVolume - st.volume) + this.rng.normal(0, VOLUME_NOISE_SD) * st.baseVolume);
      const price = roundSignificant(st.price, 6);
      return {
        symbol: s.symbol,
        price,
        fields: {
          price: pyFloatStr(price),
          volume: pyFloatStr(roundSignificant(st.volume, 6)),
          bid: pyFloatStr(roundSignificant(st.price * (1 - st.halfSpread), 6)),
          ask: pyFloatStr(roundSignificant(st.price * (1 + st.halfSpread), 6)),
          ts,
        },
      };
    });
  }
}

/** `x` to `digits` significant digits (0 stays 0). */
export function roundSignificant(x: number, digits: number): number {
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}
