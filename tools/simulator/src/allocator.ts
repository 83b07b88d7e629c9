import { Prng } from './prng';
import { pyFloatStr, pyIntStr, pyRoundStr } from './pyfloat';
import type { SymbolInfo } from './symbols';

/** Market regimes and their factors (upstream allocator, P2.9). */
export const REGIME_FACTOR = { TREND: 1.2, MEAN_REVERSION: 1.0, CHOP: 0.6 } as const;
export type Regime = keyof typeof REGIME_FACTOR;

/** drawdown < 5% → 1.0, < 15% → 0.7, else 0.4. */
export function drawdownFactor(drawdown: number): number {
  if (drawdown < 0.05) return 1.0;
  if (drawdown < 0.15) return 0.7;
  return 0.4;
}

/** `target_usd = budget * regime * drawdown * perf`, capped at 40% of equity. */
export function allocatorTarget(budget: number, regime: Regime, drawdown: number, perfFactor: number, equity: number): number {
  return Math.min(budget * REGIME_FACTOR[regime] * drawdownFactor(drawdown) * perfFactor, 0.4 * equity);
}

export interface AllocatorOptions {
  /** Account equity in USD (the 40 % cap and the per-symbol budgets derive from it). */
  equity: number;
}

interface AllocState {
  budget: number;
  regime: Regime;
  drawdown: number;
  perfFactor: number;
  confidence: number;
}

export interface TargetRecord {
  symbol: string;
  targetUsd: number;
  confidence: number;
  fields: Record<string, string>;
}

const REGIMES: readonly Regime[] = ['TREND', 'MEAN_REVERSION', 'CHOP'];

/**
 * The allocator's per-symbol state, evolving each tick: regimes switch now and then,
 * drawdowns wander (mean-reverting, occasionally jumping), the performance factor drifts.
 */
export class AllocatorModel {
  private readonly state = new Map<string, AllocState>();
  private readonly rng: Prng;

  constructor(
    seed: number,
    private readonly symbols: readonly SymbolInfo[],
    private readonly options: AllocatorOptions,
  ) {
    this.rng = Prng.derive(seed, 'allocator');
    // Budgets: liquid names get more (Zipf-like), normalised so the sum is ~1.5x equity.
    const raw = symbols.map((s) => 1 / Math.sqrt(s.rank + 1));
    const total = raw.reduce((a, b) => a + b, 0);
    symbols.forEach((s, i) => {
      this.state.set(s.symbol, {
        budget: (1.5 * options.equity * raw[i]) / total,
        regime: this.rng.pick(REGIMES),
        drawdown: Math.max(0, this.rng.normal(0.04, 0.04)),
        perfFactor: this.rng.uniform(0.6, 1.2),
        confidence: this.rng.uniform(0.6, 0.95),
      });
    });
  }

  /** Advances every symbol one tick and returns the hash each would be written with. */
  tick(nowSec: number): TargetRecord[] {
    const now = Math.floor(nowSec);
    return this.symbols.map((s) => {
      const st = this.state.get(s.symbol) as AllocState;
      if (this.rng.chance(0.02)) st.regime = this.rng.pick(REGIMES);
      st.drawdown = Math.max(0, st.drawdown + 0.1 * (0.04 - st.drawdown) + this.rng.normal(0, 0.01));
      if (this.rng.chance(0.005)) st.drawdown += this.rng.uniform(0.05, 0.15);
      st.perfFactor = Math.min(1.5, Math.max(0.2, st.perfFactor + this.rng.normal(0, 0.03)));
      st.confidence = Math.min(1, Math.max(0.3, st.confidence + 0.05 * (0.8 - st.confidence) + this.rng.normal(0, 0.02)));
      const targetUsd = Math.round(allocatorTarget(st.budget, st.regime, st.drawdown, st.perfFactor, this.options.equity) * 100) / 100;
      return {
        symbol: s.symbol,
        targetUsd,
        confidence: st.confidence,
        fields: {
          target_usd: pyFloatStr(targetUsd),
          weight: pyRoundStr(targetUsd / this.options.equity, 6),
          confidence: pyRoundStr(st.confidence, 4),
          timestamp: pyIntStr(now),
          mode: 'live',
        },
      };
    });
  }

  regimeOf(symbol: string): Regime | undefined {
    return this.state.get(symbol)?.regime;
  }
}
