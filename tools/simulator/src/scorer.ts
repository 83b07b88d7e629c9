import { clamp01, Prng } from './prng';
import { pyFloatStr, pyIntStr, pyRoundStr } from './pyfloat';
import type { SymbolInfo } from './symbols';

/** The efficiency scorer's per-symbol accumulators (upstream P3.1). */
export interface ScorerState {
  volEwma: number;
  ddEwma: number;
  /** Epoch seconds of the last fill, or undefined before the first. */
  lastFillTs: number | undefined;
}

/** One fill's realised pnl folded into the EWMAs (alpha 0.2). */
export function applyFill(state: ScorerState, pnl: number, ts: number): void {
  state.volEwma = 0.2 * Math.abs(pnl) + 0.8 * state.volEwma;
  state.ddEwma = 0.2 * Math.max(-pnl, 0) + 0.8 * state.ddEwma;
  state.lastFillTs = ts;
}

/** `clamp01((now - last_fill_ts) / 3600)`, 0 before the first fill. */
export function holdPenalty(state: ScorerState, now: number): number {
  return state.lastFillTs === undefined ? 0 : clamp01((now - state.lastFillTs) / 3600);
}

/** The scorer's formula: `clamp01(perf) / (1 + 0.8 vol/target + 1.2 dd/target + 0.6 hold)`, clamped. */
export function efficiencyScore(state: ScorerState, perf: number, targetUsd: number, now: number): number {
  const target = Math.max(targetUsd, 1);
  const raw = clamp01(perf) / (1 + (0.8 * state.volEwma) / target + (1.2 * state.ddEwma) / target + 0.6 * holdPenalty(state, now));
  return clamp01(raw);
}

/** `min(perf_conf, alloc_conf)`, halved when either input is stale. */
export function scorerConfidence(perfConfidence: number, allocConfidence: number, stale: boolean): number {
  const c = Math.min(perfConfidence, allocConfidence);
  return stale ? c / 2 : c;
}

interface SymbolScorer extends ScorerState {
  perf: number;
  perfConfidence: number;
  /** Per 5-s tick probability of a fill. */
  fillRate: number;
  /** pnl standard deviation as a fraction of the target. */
  pnlScale: number;
  /** Small drift in pnl (a good or bad strategy on this symbol). */
  edge: number;
  /** Ticks left for which the perf input is stale. */
  perfStaleTicks: number;
  /** Ticks left for which the scorer writes nothing for this symbol (its key may expire). */
  stallTicks: number;
  /** Never scored (new listing): the services see `missing_eff`. */
  unscored: boolean;
  /** A symbol in distress: perf decays towards 0, giving scores like `1e-05`. */
  distressed: boolean;
  efficiencyEwma: number | undefined;
}

export interface EfficiencyRecord {
  symbol: string;
  score: number;
  confidence: number;
  fields: Record<string, string>;
}

export interface Fill {
  symbol: string;
  pnl: number;
  ts: number;
}

/**
 * Per-symbol synthetic fills feeding the scorer's formula. Scores cluster around 0.2–0.7,
 * confidence sits around the 0.65 threshold; a few symbols are never scored, stall, go
 * stale or sink into distress.
 */
export class ScorerModel {
  private readonly state = new Map<string, SymbolScorer>();
  private readonly rng: Prng;
  private readonly fillRng: Prng;

  constructor(seed: number, private readonly symbols: readonly SymbolInfo[]) {
    this.rng = Prng.derive(seed, 'scorer');
    this.fillRng = Prng.derive(seed, 'fills');
    for (const s of symbols) {
      this.state.set(s.symbol, {
        volEwma: 0,
        ddEwma: 0,
        lastFillTs: undefined,
        perf: this.rng.uniform(0.3, 0.85),
        perfConfidence: this.rng.normal(0.68, 0.05),
        fillRate: this.rng.uniform(0.02, 0.5),
        pnlScale: this.rng.uniform(0.02, 0.25),
        edge: this.rng.normal(0, 0.02),
        perfStaleTicks: 0,
        stallTicks: 0,
        unscored: s.rank > 3 && this.rng.chance(0.04),
        distressed: s.rank > 3 && this.rng.chance(0.03),
        efficiencyEwma: undefined,
      });
    }
  }

  /**
   * Generates this tick's fills (realised pnl relative to the current target), folds them
   * into the EWMAs and returns the hashes to write (symbols that are stalled or unscored are
   * absent). `targets` maps symbol → current target_usd and allocation confidence.
   */
  tick(nowSec: number, targets: ReadonlyMap<string, { targetUsd: number; confidence: number }>): { fills: Fill[]; records: EfficiencyRecord[] } {
    const now = Math.floor(nowSec);
    const fills: Fill[] = [];
    const records: EfficiencyRecord[] = [];
    for (const s of this.symbols) {
      const st = this.state.get(s.symbol) as SymbolScorer;
      const target = targets.get(s.symbol);
      const targetUsd = target?.targetUsd ?? 0;
      // fills
      if (this.fillRng.chance(st.fillRate)) {
        const pnl = this.fillRng.normal(st.edge, st.pnlScale) * Math.max(targetUsd, 1);
        const fill = { symbol: s.symbol, pnl: Math.round(pnl * 100) / 100, ts: now };
        applyFill(st, fill.pnl, now);
        fills.push(fill);
      }
      // slow inputs
      if (st.distressed) st.perf = st.perf * this.rng.uniform(0.3, 0.6);
      else st.perf = Math.min(0.95, Math.max(0.05, st.perf + 0.05 * (0.55 - st.perf) + this.rng.normal(0, 0.03)));
      st.perfConfidence = Math.min(1, Math.max(0.3, st.perfConfidence + 0.1 * (0.68 - st.perfConfidence) + this.rng.normal(0, 0.02)));
      if (st.perfStaleTicks > 0) st.perfStaleTicks--;
      else if (this.rng.chance(0.01)) st.perfStaleTicks = this.rng.int(2, 12);
      if (st.stallTicks > 0) st.stallTicks--;
      else if (this.rng.chance(0.002)) st.stallTicks = this.rng.int(20, 200);

      if (st.unscored || st.stallTicks > 0) continue;
      const allocStale = target === undefined;
      const perfStale = st.perfStaleTicks > 0;
      const score = efficiencyScore(st, st.perf, targetUsd, now);
      const confidence = scorerConfidence(st.perfConfidence, target?.confidence ?? 0.5, perfStale || allocStale);
      st.efficiencyEwma = st.efficiencyEwma === undefined ? score : 0.1 * score + 0.9 * st.efficiencyEwma;
      const staleFlags = [perfStale ? 'perf' : '', allocStale ? 'alloc' : ''].filter(Boolean).join(',');
      records.push({
        symbol: s.symbol,
        score,
        confidence,
        fields: {
          efficiency_score: pyFloatStr(score),
          confidence: pyFloatStr(confidence),
          ts: pyIntStr(now),
          efficiency_ewma: pyFloatStr(st.efficiencyEwma),
          capital_pressure: pyRoundStr(Math.min(1, (st.volEwma + st.ddEwma) / Math.max(targetUsd, 1)), 6),
          stale_flags: staleFlags,
          mode: 'shadow',
          version: 'p31.v1',
        },
      });
    }
    return { fills, records };
  }

  stateOf(symbol: string): Readonly<ScorerState> | undefined {
    return this.state.get(symbol);
  }
}
