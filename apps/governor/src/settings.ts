import {
  EFFICIENCY_KEY_PREFIX,
  GOVERNOR_EVENTS_STREAM,
  GOVERNOR_GROUP,
  KILL_SWITCH_KEY,
  PLAN_DLQ_STREAM,
  PLAN_STREAM,
  permitSettingsFrom,
  type GovernorConfig,
  type GovMode,
  type NotionalUnknownPolicy,
  type PermitSettings,
} from '@quantum/config';
import { DEFAULT_DOWNSIZE_PARAMS } from '@quantum/efficiency-core';
import { priceSource, type PriceSource } from './price';

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
  readonly notionalUnknown: NotionalUnknownPolicy;
  /** Undefined: no price source (a plan without a price has an unknown notional). */
  readonly priceSource?: PriceSource;
  readonly permit: PermitSettings;
}

export const DEFAULT_GOVERNOR_SETTINGS: GovernorSettings = Object.freeze({
  mode: 'enforce',
  planStream: PLAN_STREAM,
  group: GOVERNOR_GROUP,
  eventsStream: GOVERNOR_EVENTS_STREAM,
  eventsMaxLen: 100000,
  dlqStream: PLAN_DLQ_STREAM,
  killSwitchKey: KILL_SWITCH_KEY,
  efficiencyKeyPrefix: EFFICIENCY_KEY_PREFIX,
  decisionTtlSec: 86400,
  permitTtlSec: 60,
  blockTtlSec: 3600,
  killScoreCritical: 0.8,
  symbolCooldownSec: 60,
  maxExecPerHour: 3,
  maxExecPer5Min: 2,
  maxNotionalPerTrade: 200,
  maxNotionalPerDay: 5000,
  notionalUnknown: 'block',
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
    notionalUnknown: c.GOV_NOTIONAL_UNKNOWN,
    priceSource: priceSource(c.GOV_PRICE_KEY_PATTERN, c.GOV_PRICE_FIELD, c.GOV_PRICE_TS_FIELD, c.GOV_PRICE_MAX_AGE_SEC, c.P31_MAX_FUTURE_SKEW_SEC),
    permit: permitSettingsFrom(c),
  };
}

/**
 * What an operator should hear at start: a notional limit that blocks every plan without a price
 * (both real producers send none) because no price source is set and the policy is `block`.
 */
export function startWarnings(s: GovernorSettings): string[] {
  const limitOn = s.maxNotionalPerTrade > 0 || s.maxNotionalPerDay > 0;
  if (!limitOn || s.priceSource || s.notionalUnknown !== 'block') return [];
  return [
    'a notional limit is on (GOV_MAX_NOTIONAL_PER_TRADE_USDT, GOV_MAX_NOTIONAL_PER_DAY_USD) but no price source is set ' +
      '(GOV_PRICE_KEY_PATTERN) and GOV_NOTIONAL_UNKNOWN=block: every plan that may increase exposure and carries no price ' +
      'is blocked as notional_unknown (the intent bridge sends none); set a price source, or GOV_NOTIONAL_UNKNOWN=allow',
  ];
}
