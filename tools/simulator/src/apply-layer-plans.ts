import { clamp01, Prng } from './prng';
import { pyFloatStr, pyIntStr, pyRoundStr } from './pyfloat';
import { PyFloat, pyJsonDumps, type PyJsonValue } from './pyjson';
import { roundSignificant, type PriceBook } from './market';
import { planIdFor, type Decision, type PlanRecord } from './plan-record';
import type { SymbolPicker } from './symbol-picker';

export const CLOSE_ACTIONS = ['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25'] as const;
export const HARVEST_ACTIONS = [...CLOSE_ACTIONS, 'UPDATE_SL', 'HOLD'] as const;
export type HarvestAction = (typeof HARVEST_ACTIONS)[number];

/** The only actions the apply layer ever executes (UPSTREAM.md); HOLD and PARTIAL_25 never are. */
export const EXECUTABLE_ACTIONS: readonly HarvestAction[] = ['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'UPDATE_SL'];

/** Kill-score thresholds of the harvest policy, highest first. */
const CLOSE_THRESHOLDS: ReadonlyArray<readonly [number, HarvestAction]> = [
  [0.65, 'FULL_CLOSE_PROPOSED'],
  [0.52, 'PARTIAL_75'],
  [0.42, 'PARTIAL_50'],
  [0.36, 'PARTIAL_25'],
];
/** A winning position (R_net at least this) trails its stop now and then instead of holding. */
const TRAIL_R_NET = 1.5;
const TRAIL_CHANCE = 0.25;

/** What becomes of an executable proposal before it leaves the apply layer. */
const PROPOSAL_DECISIONS: Readonly<Record<Decision, number>> = { EXECUTE: 0.7, SKIP: 0.15, BLOCKED: 0.12, ERROR: 0.03 };
const REASONS: Readonly<Record<Exclude<Decision, 'EXECUTE'>, readonly string[]>> = {
  SKIP: ['cooldown_active', 'min_hold_time'],
  BLOCKED: ['kill_switch_active', 'risk_gate_closed'],
  ERROR: ['position_not_found', 'exchange_unavailable'],
};

interface KillComponents {
  regimeFlip: number;
  sigmaSpike: number;
  tsDrop: number;
  agePenalty: number;
}

/**
 * The apply layer's harvest plans: per open position a kill score from four components, a
 * harvest action from it (closes at high scores, a trailed stop for winners, otherwise HOLD),
 * and a decision (HOLD is SKIP; only the executable actions can be EXECUTE). The quantity is
 * decided at execution, so `close_qty` is always `"0.0"` and `price` always empty.
 */
export class ApplyLayerPlans {
  private readonly rng: Prng;
  private seq = 0;

  constructor(
    private readonly seed: number,
    private readonly picker: SymbolPicker,
    private readonly prices: PriceBook,
  ) {
    this.rng = Prng.derive(seed, 'apply_layer');
  }

  next(nowSec: number): PlanRecord {
    const symbol = this.picker.pick(this.rng).symbol;
    const k = this.components();
    const killScore = clamp01(0.4 * k.regimeFlip + 0.3 * k.sigmaSpike + 0.2 * k.tsDrop + 0.1 * k.agePenalty + this.rng.normal(0, 0.03));
    const rNet = this.rng.normal(0.3, 1.0);
    const action = this.harvestAction(killScore, rNet);
    const decision = this.decisionFor(action);
    const newSl = action === 'UPDATE_SL' ? this.trailedStop(this.prices.priceOf(symbol), rNet) : undefined;
    const now = Math.floor(nowSec);
    const planId = planIdFor([this.seed, 'apply_layer', this.seq++, symbol, action, now]);
    return {
      producer: 'apply_layer',
      planId,
      symbol,
      decision,
      fields: {
        plan_id: planId,
        symbol,
        action,
        kill_score: pyRoundStr(killScore, 3),
        k_regime_flip: pyRoundStr(k.regimeFlip, 3),
        k_sigma_spike: pyRoundStr(k.sigmaSpike, 3),
        k_ts_drop: pyRoundStr(k.tsDrop, 3),
        k_age_penalty: pyRoundStr(k.agePenalty, 3),
        new_sl_proposed: newSl === undefined ? '' : pyFloatStr(newSl),
        R_net: pyRoundStr(rNet, 2),
        decision,
        reason_codes: this.reasonCodes(k, action, decision).join(','),
        steps: pyJsonDumps(stepsFor(action, newSl)),
        close_qty: '0.0',
        price: '',
        timestamp: pyIntStr(now),
      },
    };
  }

  /** Mostly calm positions: each component is usually small or zero, now and then high. */
  private components(): KillComponents {
    return {
      regimeFlip: this.rng.chance(0.15) ? this.rng.uniform(0.2, 1) : 0,
      sigmaSpike: Math.pow(this.rng.next(), 3),
      tsDrop: this.rng.chance(0.25) ? this.rng.uniform(0, 0.8) : 0,
      agePenalty: this.rng.uniform(0, 0.25),
    };
  }

  private harvestAction(killScore: number, rNet: number): HarvestAction {
    for (const [threshold, action] of CLOSE_THRESHOLDS) if (killScore >= threshold) return action;
    if (rNet >= TRAIL_R_NET && this.rng.chance(TRAIL_CHANCE)) return 'UPDATE_SL';
    return 'HOLD';
  }

  private decisionFor(action: HarvestAction): Decision {
    if (action === 'HOLD') return 'SKIP';
    const decision = this.rng.weighted(PROPOSAL_DECISIONS);
    return decision === 'EXECUTE' && !EXECUTABLE_ACTIONS.includes(action) ? 'SKIP' : decision;
  }

  /** The stop moved towards the price, closer for bigger winners (1 % to 3 % away). */
  private trailedStop(price: number, rNet: number): number {
    const distance = Math.max(0.01, 0.03 - 0.004 * rNet);
    const below = this.rng.chance(0.5); // long positions trail below the price, shorts above
    return roundSignificant(price * (below ? 1 - distance : 1 + distance), 6);
  }

  /** The components that drove the score, then why a proposal was not executed (none for HOLD). */
  private reasonCodes(k: KillComponents, action: HarvestAction, decision: Decision): string[] {
    const codes: string[] = [];
    if (k.regimeFlip >= 0.5) codes.push('regime_flip');
    if (k.sigmaSpike >= 0.5) codes.push('sigma_spike');
    if (k.tsDrop >= 0.5) codes.push('ts_drop');
    if (decision !== 'EXECUTE' && action !== 'HOLD') codes.push(this.rng.pick(REASONS[decision]));
    return codes;
  }
}

/** The execution steps of an action, as the apply layer serialises them (`json.dumps`). */
export function stepsFor(action: HarvestAction, newSl: number | undefined): PyJsonValue[] {
  switch (action) {
    case 'HOLD':
      return [];
    case 'UPDATE_SL':
      return [{ step: 'UPDATE_SL', type: 'stop_loss', side: 'close', price: new PyFloat(newSl ?? 0) }];
    case 'FULL_CLOSE_PROPOSED':
      return [{ step: 'CLOSE_FULL', type: 'market_reduce_only', side: 'close', pct: new PyFloat(100) }];
    default: {
      const pct = Number(action.slice('PARTIAL_'.length));
      return [{ step: `CLOSE_${action}`, type: 'market_reduce_only', side: 'close', pct: new PyFloat(pct) }];
    }
  }
}
