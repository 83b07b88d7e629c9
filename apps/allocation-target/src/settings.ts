import type { AllocationSettings } from '@quantum/efficiency-core';

/** What one proposal loop needs, already validated (built from the config catalogue in main). */
export interface ShadowSettings {
  /** LOOP_INTERVAL_SEC */
  readonly loopIntervalSec: number;
  /** BATCH_SIZE: symbols per pipelined read/write batch. */
  readonly batchSize: number;
  readonly targetKeyPrefix: string;
  readonly efficiencyKeyPrefix: string;
  readonly proposedKeyPrefix: string;
  readonly streamName: string;
  readonly streamMaxLen: number;
  /** PROPOSE_KEY_TTL, whole seconds. */
  readonly proposeKeyTtlSec: number;
  /** P31_* multiplier parameters and efficiency gates. */
  readonly allocation: AllocationSettings;
}

export const DEFAULT_SHADOW_SETTINGS: ShadowSettings = Object.freeze({
  loopIntervalSec: 10,
  batchSize: 500,
  targetKeyPrefix: 'quantum:allocation:target:',
  efficiencyKeyPrefix: 'quantum:capital:efficiency:',
  proposedKeyPrefix: 'quantum:allocation:target:proposed:',
  streamName: 'quantum:stream:allocation.target.proposed',
  streamMaxLen: 100000,
  proposeKeyTtlSec: 600,
  allocation: Object.freeze({ base: 1.0, scale: 1.0, minMult: 0.5, maxMult: 1.5, staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 }),
});

/** The subset of the allocation-target config catalogue values the loop reads. */
export interface ShadowConfigValues {
  readonly LOOP_INTERVAL_SEC: number;
  readonly BATCH_SIZE: number;
  readonly TARGET_KEY_PREFIX: string;
  readonly EFFICIENCY_KEY_PREFIX: string;
  readonly PROPOSED_KEY_PREFIX: string;
  readonly PROPOSE_STREAM_NAME: string;
  readonly PROPOSE_STREAM_MAXLEN: number;
  readonly PROPOSE_KEY_TTL: number;
  readonly P31_BASE: number;
  readonly P31_SCALE: number;
  readonly P31_MIN_MULT: number;
  readonly P31_MAX_MULT: number;
  readonly P31_STALE_SEC: number;
  readonly P31_MIN_CONF: number;
  readonly P31_MAX_FUTURE_SKEW_SEC: number;
}

export function shadowSettingsFromConfig(v: ShadowConfigValues): ShadowSettings {
  return {
    loopIntervalSec: v.LOOP_INTERVAL_SEC,
    batchSize: v.BATCH_SIZE,
    targetKeyPrefix: v.TARGET_KEY_PREFIX,
    efficiencyKeyPrefix: v.EFFICIENCY_KEY_PREFIX,
    proposedKeyPrefix: v.PROPOSED_KEY_PREFIX,
    streamName: v.PROPOSE_STREAM_NAME,
    streamMaxLen: v.PROPOSE_STREAM_MAXLEN,
    proposeKeyTtlSec: v.PROPOSE_KEY_TTL,
    allocation: {
      base: v.P31_BASE,
      scale: v.P31_SCALE,
      minMult: v.P31_MIN_MULT,
      maxMult: v.P31_MAX_MULT,
      staleSec: v.P31_STALE_SEC,
      minConfidence: v.P31_MIN_CONF,
      maxFutureSkewSec: v.P31_MAX_FUTURE_SKEW_SEC,
    },
  };
}
