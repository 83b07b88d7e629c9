import { DEFAULT_DOWNSIZE_PARAMS, type GovernorConfig, type GovMode } from '@quantum/efficiency-core';
import type { PermitSettings } from './permit';

/** Everything the governor's decision path needs, as plain typed values. */
export interface GovernorSettings {
  readonly mode: GovMode;
  readonly planStream: string;
  readonly group: string;
  readonly eventsStream: string;
  readonly eventsMaxLen: number;
  readonly dlqStream: string;
  readonly killSwitchKey: string;
  readonly efficiencyKeyPrefix: string;
  readonly decisionTtlSec: number;
  readonly permitTtlSec: number;
  readonly blockTtlSec: number;
  readonly killScoreCritical: number;
  readonly symbolCooldownSec: number;
  readonly maxExecPerHour: number;
  readonly maxExecPer5Min: number;
  readonly maxNotionalPerTrade: number;
  readonly maxNotionalPerDay: number;
  readonly permit: PermitSettings;
}

export const DEFAULT_GOVERNOR_SETTINGS: GovernorSettings = Object.freeze({
  mode: 'enforce',
  planStream: 'quantum:stream:apply.plan',
  group: 'governor',
  eventsStream: 'quantum:stream:governor.events',
  eventsMaxLen: 100000,
  dlqStream: 'quantum:stream:apply.plan.dlq',
  killSwitchKey: 'quantum:kill',
  efficiencyKeyPrefix: 'quantum:capital:efficiency:',
  decisionTtlSec: 86400,
  permitTtlSec: 60,
  blockTtlSec: 3600,
  killScoreCritical: 0.8,
  symbolCooldownSec: 60,
  maxExecPerHour: 3,
  maxExecPer5Min: 2,
  maxNotionalPerTrade: 200,
  maxNotionalPerDay: 5000,
  permit: {
    gates: { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 },
    downsize: DEFAULT_DOWNSIZE_PARAMS,
    enforceDownsize: false,
  },
});

export function governorSettings(c: GovernorConfig): GovernorSettings {
  return {
    mode: c.GOV_MODE,
    planStream: c.PLAN_STREAM,
    group: c.GOV_GROUP,
    eventsStream: c.EVENTS_STREAM,
    eventsMaxLen: c.EVENTS_STREAM_MAXLEN,
    dlqStream: c.DLQ_STREAM,
    killSwitchKey: c.KILL_SWITCH_KEY,
    efficiencyKeyPrefix: c.EFFICIENCY_KEY_PREFIX,
    decisionTtlSec: c.GOV_DECISION_TTL_SEC,
    permitTtlSec: c.PERMIT_TTL_SEC,
    blockTtlSec: c.GOV_BLOCK_RECORD_TTL_SEC,
    killScoreCritical: c.GOV_KILL_SCORE_CRITICAL,
    symbolCooldownSec: c.GOV_SYMBOL_COOLDOWN_SECONDS,
    maxExecPerHour: c.GOV_MAX_EXEC_PER_HOUR,
    maxExecPer5Min: c.GOV_MAX_EXEC_PER_5MIN,
    maxNotionalPerTrade: c.GOV_MAX_NOTIONAL_PER_TRADE_USDT,
    maxNotionalPerDay: c.GOV_MAX_NOTIONAL_PER_DAY_USD,
    permit: {
      gates: { staleSec: c.P31_EFF_TTL_SEC, minConfidence: c.P31_MIN_CONF, maxFutureSkewSec: c.P31_MAX_FUTURE_SKEW_SEC },
      downsize: { threshold: c.P31_DOWNSIZE_THRESHOLD, minFactor: c.P31_MIN_FACTOR, maxExtraCooldownSec: c.P31_MAX_EXTRA_COOLDOWN_SEC },
      enforceDownsize: c.P31_ENFORCE_DOWNSIZE,
    },
  };
}
