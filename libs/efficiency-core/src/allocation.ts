import { clamp } from './rounding';
import { EfficiencyGates, EfficiencyHash, EfficiencyReading, readEfficiency } from './efficiency-reading';
import { parseTarget, TargetHash } from './target';

// Hot path: keep a direct reference. Loaders that wrap each module's exports in getters (tsx,
// used by `npm run ctl` and `npm run bench`) would otherwise pay a getter call per use.
const clampTo = clamp;
const read = readEfficiency;

export interface MultiplierParams {
  /** P31_BASE */
  readonly base: number;
  /** P31_SCALE */
  readonly scale: number;
  /** P31_MIN_MULT */
  readonly minMult: number;
  /** P31_MAX_MULT */
  readonly maxMult: number;
}

export interface AllocationSettings extends MultiplierParams, EfficiencyGates {}

/** Contract defaults for allocation-target (P31_BASE … P31_MAX_FUTURE_SKEW_SEC). */
export const DEFAULT_ALLOCATION_SETTINGS: AllocationSettings = Object.freeze({
  base: 1.0,
  scale: 1.0,
  minMult: 0.5,
  maxMult: 1.5,
  staleSec: 600,
  minConfidence: 0.65,
  maxFutureSkewSec: 60,
});

/**
 * Contract §2.1: `clamp(base + scale * (score - 0.5), minMult, maxMult)` for a usable reading,
 * else the neutral 1.0.
 */
export function allocationMultiplier(reading: EfficiencyReading, params: MultiplierParams): number {
  if (!reading.usable) return 1.0;
  return clampTo(params.base + params.scale * ((reading.score as number) - 0.5), params.minMult, params.maxMult);
}

/** The multiplier straight from numbers (the score must come from a usable reading). */
export function multiplierForScore(score: number, params: MultiplierParams): number {
  return clampTo(params.base + params.scale * (score - 0.5), params.minMult, params.maxMult);
}

export type AllocationReason = 'ok' | 'missing_eff' | 'invalid_eff' | 'stale_eff' | 'low_conf' | 'redis_error' | 'invalid_target';

export interface AllocationProposal {
  /** `invalid_target` when the target is unusable, else the efficiency reading's reason. */
  readonly reason: AllocationReason;
  /** From the reading (1.0 unless usable); computed even for `invalid_target`. */
  readonly multiplier: number;
  /** `target_usd`, or undefined for `invalid_target`. */
  readonly baseTarget: number | undefined;
  /** `baseTarget * multiplier`, or undefined for `invalid_target`. */
  readonly proposedTarget: number | undefined;
  /** Why the target is invalid (only for `invalid_target`). */
  readonly targetProblem: string | undefined;
  readonly reading: EfficiencyReading;
}

/** One proposal from an already taken efficiency reading (use `redisErrorReading()` on failure). */
export function proposeFromReading(target: TargetHash | null | undefined, reading: EfficiencyReading, settings: MultiplierParams): AllocationProposal {
  const multiplier = allocationMultiplier(reading, settings);
  const t = parseTarget(target);
  if (!t.ok) {
    return { reason: 'invalid_target', multiplier, baseTarget: undefined, proposedTarget: undefined, targetProblem: t.problem, reading };
  }
  const proposedTarget = t.baseTarget * multiplier;
  if (proposedTarget === Infinity) {
    return { reason: 'invalid_target', multiplier, baseTarget: undefined, proposedTarget: undefined, targetProblem: 'target_usd * multiplier overflows', reading };
  }
  return { reason: reading.reason, multiplier, baseTarget: t.baseTarget, proposedTarget, targetProblem: undefined, reading };
}

/** Contract §2 + §2.1: read the efficiency hash, gate it, apply the multiplier to the target. */
export function proposeAllocation(
  target: TargetHash | null | undefined,
  efficiency: EfficiencyHash | null | undefined,
  now: number,
  settings: AllocationSettings,
): AllocationProposal {
  return proposeFromReading(target, read(efficiency, now, settings), settings);
}
