import { Prng } from './prng';
import { pyFloatStr, pyIntStr } from './pyfloat';
import { roundSignificant, type PriceBook } from './market';
import { planIdFor, type PlanRecord } from './plan-record';
import type { SymbolPicker } from './symbol-picker';

/** Share of intents that reduce an open position instead of opening one. */
export const REDUCE_ONLY_SHARE = 0.2;
/**
 * Intent sizes in USD: log-normal around 90 USD, so most fall within 20–400 USD and about one
 * in eight is above the governor's default per-trade cap of 200 USD.
 */
const NOTIONAL_MEDIAN_USD = 90;
const NOTIONAL_LOG_SD = 0.7;

/**
 * The intent bridge: the AI layer's trade intents (mostly opens, some reduce-only) as plans,
 * always EXECUTE. The quantity is the intent's USD size over the current price; the price
 * itself is not forwarded, so a governor has to find it elsewhere (the market feed).
 */
export class IntentBridgePlans {
  private readonly rng: Prng;
  private seq = 0;

  constructor(
    private readonly seed: number,
    private readonly picker: SymbolPicker,
    private readonly prices: PriceBook,
  ) {
    this.rng = Prng.derive(seed, 'intent_bridge');
  }

  next(nowSec: number): PlanRecord {
    const symbol = this.picker.pick(this.rng).symbol;
    const side = this.rng.chance(0.5) ? 'BUY' : 'SELL';
    const reduceOnly = this.rng.chance(REDUCE_ONLY_SHARE);
    const notional = Math.exp(this.rng.normal(Math.log(NOTIONAL_MEDIAN_USD), NOTIONAL_LOG_SD));
    const qty = roundSignificant(notional / this.prices.priceOf(symbol), 4);
    const now = Math.floor(nowSec);
    const planId = planIdFor([this.seed, 'intent_bridge', this.seq++, symbol, side, qty, now]);
    return {
      producer: 'intent_bridge',
      planId,
      symbol,
      decision: 'EXECUTE',
      fields: {
        plan_id: planId,
        decision: 'EXECUTE',
        symbol,
        side,
        type: 'MARKET',
        qty: pyFloatStr(qty),
        reduceOnly: reduceOnly ? 'true' : 'false',
        source: 'intent_bridge',
        signature: 'intent_bridge',
        timestamp: pyIntStr(now),
      },
    };
  }
}
