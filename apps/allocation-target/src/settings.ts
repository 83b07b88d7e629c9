import { allocationSettingsFrom, EFFICIENCY_KEY_PREFIX, PROPOSE_STREAM, PROPOSED_KEY_PREFIX, SYMBOL_PATTERN, TARGET_KEY_PREFIX } from '@quantum/config';
import { DEFAULT_ALLOCATION_SETTINGS, type AllocationSettings } from '@quantum/efficiency-core';

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
  targetKeyPrefix: TARGET_KEY_PREFIX,
  efficiencyKeyPrefix: EFFICIENCY_KEY_PREFIX,
  proposedKeyPrefix: PROPOSED_KEY_PREFIX,
  streamName: PROPOSE_STREAM,
  streamMaxLen: 100000,
  proposeKeyTtlSec: 600,
  allocation: DEFAULT_ALLOCATION_SETTINGS,
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
    allocation: allocationSettingsFrom(v),
  };
}

/** A problem with how the configured keys relate (the service must not start). */
export interface KeyLayoutProblem {
  readonly variable: string;
  readonly value: string;
  readonly allowed: string;
  readonly message: string;
}

/**
 * The service must never write a target key. Refuses a `PROPOSED_KEY_PREFIX` whose keys would be
 * target keys (it starts with `TARGET_KEY_PREFIX` and adds no `:` segment, e.g. equal to it or
 * `...:target:p`), and a `PROPOSE_STREAM_NAME` that is itself a target key.
 */
export function keyLayoutProblems(s: Pick<ShadowSettings, 'targetKeyPrefix' | 'proposedKeyPrefix' | 'streamName'>): KeyLayoutProblem[] {
  const problems: KeyLayoutProblem[] = [];
  const t = s.targetKeyPrefix;
  if (s.proposedKeyPrefix.startsWith(t) && /^[A-Za-z0-9._-]*$/.test(s.proposedKeyPrefix.slice(t.length))) {
    const allowed = 'a prefix whose keys are not target keys (e.g. TARGET_KEY_PREFIX + "proposed:")';
    problems.push({
      variable: 'PROPOSED_KEY_PREFIX',
      value: s.proposedKeyPrefix,
      allowed,
      message: `PROPOSED_KEY_PREFIX="${s.proposedKeyPrefix}" is not allowed with TARGET_KEY_PREFIX="${t}": proposal hashes would overwrite target keys; allowed: ${allowed}`,
    });
  }
  if (s.streamName.startsWith(t) && SYMBOL_PATTERN.test(s.streamName.slice(t.length))) {
    const allowed = 'a stream key that is not a target key';
    problems.push({
      variable: 'PROPOSE_STREAM_NAME',
      value: s.streamName,
      allowed,
      message: `PROPOSE_STREAM_NAME="${s.streamName}" is not allowed with TARGET_KEY_PREFIX="${t}": it is a target key; allowed: ${allowed}`,
    });
  }
  return problems;
}
