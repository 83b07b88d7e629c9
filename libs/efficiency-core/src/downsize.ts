import { EfficiencyReading } from './efficiency-reading';
import { roundHalfEven } from './rounding';

// Hot path: keep a direct reference. Loaders that wrap each module's exports in getters (tsx,
// used by `npm run ctl` and `npm run bench`) would otherwise pay a getter call per use.
const round = roundHalfEven;

export interface DownsizeParams {
  /** P31_DOWNSIZE_THRESHOLD: a usable score strictly below it downsizes. */
  readonly threshold: number;
  /** P31_MIN_FACTOR: the factor's floor. */
  readonly minFactor: number;
  /** P31_MAX_EXTRA_COOLDOWN_SEC */
  readonly maxExtraCooldownSec: number;
}

export type DownsizeAction = 'NONE' | 'DOWNSIZE';

export interface DownsizeHint {
  readonly action: DownsizeAction;
  /** In [minFactor, 1]; 1.0 for NONE. */
  readonly factor: number;
  /** Whole seconds in [0, maxExtraCooldownSec]; 0 for NONE. */
  readonly extraCooldownSec: number;
}

export const DEFAULT_DOWNSIZE_PARAMS: DownsizeParams = Object.freeze({ threshold: 0.45, minFactor: 0.25, maxExtraCooldownSec: 120 });

const NO_HINT: DownsizeHint = { action: 'NONE', factor: 1.0, extraCooldownSec: 0 }; // not frozen: same hidden class as the others

/**
 * Contract §2.2. A usable reading with `score < threshold` → DOWNSIZE with
 * `factor = max(minFactor, score / threshold)` and
 * `extraCooldownSec = roundHalfEven((1 - score) * maxExtraCooldownSec)`; otherwise NONE, 1.0, 0.
 */
export function downsizeHint(reading: EfficiencyReading, params: DownsizeParams): DownsizeHint {
  if (!reading.usable) return NO_HINT;
  return downsizeForScore(reading.score as number, params);
}

/** The hint straight from a usable reading's score. */
export function downsizeForScore(score: number, params: DownsizeParams): DownsizeHint {
  const threshold = params.threshold;
  if (!(score < threshold)) return NO_HINT;
  const ratio = score / threshold;
  return {
    action: 'DOWNSIZE',
    factor: ratio > params.minFactor ? ratio : params.minFactor,
    extraCooldownSec: round((1 - score) * params.maxExtraCooldownSec),
  };
}
