import { AllocatorModel, type TargetRecord } from './allocator';
import { MarketModel, type MarketRecord } from './market';
import type { PlanRecord } from './plan-record';
import { PlanModel } from './plans';
import { ScorerModel, type EfficiencyRecord, type Fill } from './scorer';
import { universe, type SymbolInfo } from './symbols';

export interface SimulatorOptions {
  seed: number;
  symbols: number;
  /** Account equity in USD. */
  equity?: number;
}

export interface TickOutput {
  targets: TargetRecord[];
  efficiency: EfficiencyRecord[];
  fills: Fill[];
  market: MarketRecord[];
}

/**
 * The pure simulator: every value it produces depends only on the seed, the universe size
 * and the `now` values passed to `tick` and `nextPlan`, in their order (independent random
 * streams, so the number of plans between ticks does not change the ticks; plans size
 * themselves with the prices of the last tick).
 */
export class Simulator {
  readonly universe: readonly SymbolInfo[];
  private readonly allocator: AllocatorModel;
  private readonly scorer: ScorerModel;
  private readonly market: MarketModel;
  private readonly plans: PlanModel;

  constructor(options: SimulatorOptions) {
    this.universe = universe(options.symbols);
    this.allocator = new AllocatorModel(options.seed, this.universe, { equity: options.equity ?? 100_000 });
    this.scorer = new ScorerModel(options.seed, this.universe);
    this.market = new MarketModel(options.seed, this.universe);
    this.plans = new PlanModel(options.seed, this.universe, this.market);
  }

  /** One allocator + scorer + market feed round (upstream runs the first two every 5 s). */
  tick(nowSec: number): TickOutput {
    const targets = this.allocator.tick(nowSec);
    const byTarget = new Map(targets.map((t) => [t.symbol, { targetUsd: t.targetUsd, confidence: t.confidence }]));
    const { fills, records } = this.scorer.tick(nowSec, byTarget);
    const market = this.market.tick(nowSec);
    return { targets, efficiency: records, fills, market };
  }

  nextPlan(nowSec: number): PlanRecord {
    return this.plans.next(nowSec);
  }
}

export type { TargetRecord, EfficiencyRecord, MarketRecord, PlanRecord, Fill };
