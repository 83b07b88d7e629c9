import type { AllocationSettings, DownsizeParams, EfficiencyGates } from '@quantum/efficiency-core';
import type { AllocationTargetConfig } from './catalogue/allocation-target';
import type { GovernorConfig } from './catalogue/governor';

/** allocation-target's P31 variables as the core's parameter object. */
export function allocationSettingsFrom(c: Pick<AllocationTargetConfig, 'P31_BASE' | 'P31_SCALE' | 'P31_MIN_MULT' | 'P31_MAX_MULT' | 'P31_STALE_SEC' | 'P31_MIN_CONF' | 'P31_MAX_FUTURE_SKEW_SEC'>): AllocationSettings {
  return {
    base: c.P31_BASE,
    scale: c.P31_SCALE,
    minMult: c.P31_MIN_MULT,
    maxMult: c.P31_MAX_MULT,
    staleSec: c.P31_STALE_SEC,
    minConfidence: c.P31_MIN_CONF,
    maxFutureSkewSec: c.P31_MAX_FUTURE_SKEW_SEC,
  };
}

/** What the efficiency part of a permit needs: the reading's gates, the downsize hint's parameters, whether the hint is applied. */
export interface PermitSettings {
  readonly gates: EfficiencyGates;
  readonly downsize: DownsizeParams;
  /** P31_ENFORCE_DOWNSIZE */
  readonly enforceDownsize: boolean;
}

/** governor's P31 variables as the permit's parameter objects (P31_EFF_TTL_SEC is the age limit). */
export function permitSettingsFrom(
  c: Pick<GovernorConfig, 'P31_DOWNSIZE_THRESHOLD' | 'P31_MIN_FACTOR' | 'P31_MAX_EXTRA_COOLDOWN_SEC' | 'P31_EFF_TTL_SEC' | 'P31_MIN_CONF' | 'P31_MAX_FUTURE_SKEW_SEC' | 'P31_ENFORCE_DOWNSIZE'>,
): PermitSettings {
  return {
    gates: { staleSec: c.P31_EFF_TTL_SEC, minConfidence: c.P31_MIN_CONF, maxFutureSkewSec: c.P31_MAX_FUTURE_SKEW_SEC },
    downsize: { threshold: c.P31_DOWNSIZE_THRESHOLD, minFactor: c.P31_MIN_FACTOR, maxExtraCooldownSec: c.P31_MAX_EXTRA_COOLDOWN_SEC },
    enforceDownsize: c.P31_ENFORCE_DOWNSIZE,
  };
}
