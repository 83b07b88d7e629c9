import { createHash } from 'node:crypto';
import { Prng } from './prng';
import { pyFloatStr, pyIntStr, pyRoundStr } from './pyfloat';
import type { SymbolInfo } from './symbols';

export const CLOSE_ACTIONS = ['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25'] as const;
export type Decision = 'EXECUTE' | 'SKIP' | 'BLOCKED' | 'ERROR';

/** Plan decisions: mostly SKIP (usually HOLD), some BLOCKED/ERROR upstream, a few EXECUTE. */
export const DECISION_MIX: Readonly<Record<Decision, number>> = { SKIP: 0.78, BLOCKED: 0.08, ERROR: 0.02, EXECUTE: 0.12 };
const SKIP_ACTIONS = { HOLD: 0.8, UPDATE_SL: 0.1, OPEN_PROPOSED: 0.06, PARTIAL_50: 0.04 } as const;
const EXECUTE_ACTIONS = {
  OPEN_PROPOSED: 0.5, FULL_CLOSE_PROPOSED: 0.12, PARTIAL_75: 0.06, PARTIAL_50: 0.08, PARTIAL_25: 0.06, UPDATE_SL: 0.18,
} as const;
const REASON_CODES = ['edge_ok', 'regime_trend', 'regime_chop', 'sl_trail', 'risk_budget', 'kill_watch', 'spread_wide', 'no_signal'];

export interface PlanRecord {
  planId: string;
  symbol: string;
  action: string;
  decision: Decision;
  /** Field/value pairs in stream order. */
  fields: Record<string, string>;
}

/** A 16-hex plan id: a hash of the proposal (as the apply layer does). */
export function planIdFor(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16);
}

/**
 * The apply layer's plan stream. Prices follow a random walk per symbol; liquid symbols get
 * more plans; notional mostly 20–400 USD (so some plans exceed the governor's per-trade cap);
 * the price is empty now and then.
 */
export class PlanModel {
  private readonly rng: Prng;
  private readonly prices = new Map<string, number>();
  private readonly cumulative: number[] = [];
  private seq = 0;

  constructor(
    private readonly seed: number,
    private readonly symbols: readonly SymbolInfo[],
  ) {
    this.rng = Prng.derive(seed, 'plans');
    let acc = 0;
    for (const s of symbols) {
      this.prices.set(s.symbol, s.price);
      acc += 1 / (s.rank + 3);
      this.cumulative.push(acc);
    }
  }

  private pickSymbol(): SymbolInfo {
    const total = this.cumulative[this.cumulative.length - 1];
    const r = this.rng.next() * total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cumulative[mid] > r) hi = mid;
      else lo = mid + 1;
    }
    return this.symbols[lo];
  }

  next(nowSec: number): PlanRecord {
    const s = this.pickSymbol();
    const price = (this.prices.get(s.symbol) as number) * Math.exp(this.rng.normal(0, 0.002));
    this.prices.set(s.symbol, price);
    const decision = this.rng.weighted(DECISION_MIX);
    const action = decision === 'EXECUTE' ? this.rng.weighted(EXECUTE_ACTIONS) : this.rng.weighted(SKIP_ACTIONS);
    const killScore = this.rng.chance(0.06) ? this.rng.uniform(0.8, 1) : Math.pow(this.rng.next(), 2) * 0.8;
    const notional = Math.exp(this.rng.normal(Math.log(90), 0.7));
    const qty = roundSignificant(notional / price, 4);
    const priceKnown = !this.rng.chance(0.05);
    const now = Math.floor(nowSec);
    const side = this.rng.chance(0.5) ? 'BUY' : 'SELL';
    const seq = this.seq++;
    const planId = planIdFor([this.seed, seq, s.symbol, action, decision, now]);
    const rNet = this.rng.normal(0.2, 0.8);
    const codes = [this.rng.pick(REASON_CODES), this.rng.pick(REASON_CODES)].filter((c, i, all) => all.indexOf(c) === i);
    const steps = [
      { step: 'signal', ok: true },
      { step: 'risk', ok: decision !== 'BLOCKED' },
      { step: 'route', ok: decision === 'EXECUTE' },
    ];
    return {
      planId,
      symbol: s.symbol,
      action,
      decision,
      fields: {
        plan_id: planId,
        symbol: s.symbol,
        action,
        decision,
        kill_score: pyRoundStr(killScore, 4),
        side,
        qty: pyFloatStr(qty),
        price: priceKnown ? pyFloatStr(roundSignificant(price, 6)) : '',
        timestamp: pyIntStr(now),
        reason_codes: codes.join(','),
        steps: JSON.stringify(steps),
        R_net: pyRoundStr(rNet, 4),
        source: 'apply_layer',
      },
    };
  }
}

function roundSignificant(x: number, digits: number): number {
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}
