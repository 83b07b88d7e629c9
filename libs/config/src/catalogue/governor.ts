import { EFFICIENCY_KEY_PREFIX, GOVERNOR_EVENTS_STREAM, GOVERNOR_GROUP, KILL_SWITCH_KEY, MARKET_KEY_PATTERN, PLAN_DLQ_STREAM, PLAN_STREAM, SYMBOL_PLACEHOLDER } from '../contract-names';
import { booleanVariable, decimalVariable, enumVariable, integerVariable, stringVariable } from './builders';
import { commonVariables, efficiencyGateVariables, keyVariable, wholeSecondsVariable } from './common';
import { defineServiceConfig } from './resolve';
import { VariableValues } from './types';

export const GOV_MODES = ['enforce', 'dry_run'] as const;
export type GovMode = (typeof GOV_MODES)[number];
export const NOTIONAL_UNKNOWN_POLICIES = ['block', 'allow'] as const;
export type NotionalUnknownPolicy = (typeof NOTIONAL_UNKNOWN_POLICIES)[number];

/** A key name without spaces holding `{SYMBOL}` exactly once. */
const PRICE_KEY_PATTERN = /^(?:(?!\{SYMBOL\})\S)*\{SYMBOL\}(?:(?!\{SYMBOL\})\S)*$/;
const FIELD_PATTERN = /^\S+$/;

const limit = (name: string, description: string, defaultValue: number) =>
  integerVariable({ name, description, default: defaultValue, min: 0, allowed: 'a whole number of 0 or more (0 turns the limit off)' });
const notional = (name: string, description: string, defaultValue: number) =>
  decimalVariable({ name, description, default: defaultValue, min: 0, allowed: 'a decimal of 0 or more (0 turns the limit off)' });

const schema = {
  ...commonVariables(8044),
  GOV_MODE: enumVariable<GovMode>({ name: 'GOV_MODE', description: 'enforce: gates decide; dry_run: permit every valid EXECUTE plan and record what the gates said', default: 'enforce', values: GOV_MODES }),
  PLAN_STREAM: keyVariable('PLAN_STREAM', 'stream of intended trades (apply plans)', PLAN_STREAM),
  GOV_GROUP: keyVariable('GOV_GROUP', 'consumer group reading PLAN_STREAM', GOVERNOR_GROUP),
  GOV_CONSUMER_NAME: stringVariable({ name: 'GOV_CONSUMER_NAME', description: 'consumer name in the group (optional; derived from the host name when unset)', pattern: /^\S+$/, allowed: 'a consumer name (no spaces)' }),
  GOV_BATCH_SIZE: integerVariable({ name: 'GOV_BATCH_SIZE', description: 'plans read per XREADGROUP', default: 100, min: 1, max: 1000 }),
  GOV_BLOCK_MS: integerVariable({ name: 'GOV_BLOCK_MS', description: 'milliseconds one XREADGROUP waits for new plans', default: 2000, min: 1, max: 5000 }),
  GOV_CLAIM_IDLE_MS: integerVariable({ name: 'GOV_CLAIM_IDLE_MS', description: 'a pending plan idle this many milliseconds is reclaimed', default: 30000, min: 1000 }),
  GOV_MAX_DELIVERIES: integerVariable({ name: 'GOV_MAX_DELIVERIES', description: 'a plan delivered this many times is dead-lettered (0: never, for deliveries)', default: 5, min: 0, allowed: 'a whole number of 0 or more (0: never dead-letter for deliveries)' }),
  GOV_DECISION_TTL_SEC: wholeSecondsVariable('GOV_DECISION_TTL_SEC', 'seconds a plan_id decision is remembered (duplicate detection)', 86400),
  PERMIT_TTL_SEC: wholeSecondsVariable('PERMIT_TTL_SEC', 'seconds a permit lives', 60),
  GOV_BLOCK_RECORD_TTL_SEC: wholeSecondsVariable('GOV_BLOCK_RECORD_TTL_SEC', 'seconds a block record lives', 3600),
  DLQ_STREAM: keyVariable('DLQ_STREAM', 'dead-letter stream for malformed or undeliverable plans', PLAN_DLQ_STREAM),
  EVENTS_STREAM: keyVariable('EVENTS_STREAM', 'audit stream of every decision', GOVERNOR_EVENTS_STREAM),
  EVENTS_STREAM_MAXLEN: integerVariable({ name: 'EVENTS_STREAM_MAXLEN', description: 'approximate length the audit stream is trimmed to', default: 100000, min: 1 }),
  KILL_SWITCH_KEY: keyVariable('KILL_SWITCH_KEY', 'string key; "1" turns the kill switch on', KILL_SWITCH_KEY),
  EFFICIENCY_KEY_PREFIX: keyVariable('EFFICIENCY_KEY_PREFIX', 'prefix of the capital efficiency hashes (followed by the symbol)', EFFICIENCY_KEY_PREFIX),
  GOV_KILL_SCORE_CRITICAL: decimalVariable({ name: 'GOV_KILL_SCORE_CRITICAL', description: 'a non-close plan with kill_score at or above this is blocked', default: 0.8, min: 0, max: 1 }),
  GOV_SYMBOL_COOLDOWN_SECONDS: limit('GOV_SYMBOL_COOLDOWN_SECONDS', 'seconds after a permit before the same symbol gets another', 60),
  GOV_MAX_EXEC_PER_HOUR: limit('GOV_MAX_EXEC_PER_HOUR', 'permits per symbol in the last hour', 3),
  GOV_MAX_EXEC_PER_5MIN: limit('GOV_MAX_EXEC_PER_5MIN', 'permits per symbol in the last 5 minutes', 2),
  GOV_MAX_NOTIONAL_PER_TRADE_USDT: notional('GOV_MAX_NOTIONAL_PER_TRADE_USDT', 'largest qty * price of one plan', 200),
  GOV_MAX_NOTIONAL_PER_DAY_USD: notional('GOV_MAX_NOTIONAL_PER_DAY_USD', 'largest permitted notional per symbol and UTC day', 5000),
  GOV_ALLOW_EVICTION: booleanVariable({ name: 'GOV_ALLOW_EVICTION', description: 'decide although Redis may evict keys (maxmemory-policy other than noeviction): evicted decision records and gate state let plans be permitted twice and limits be bypassed; without it the governor is not ready under such a policy', default: false }),
  GOV_NOTIONAL_UNKNOWN: enumVariable<NotionalUnknownPolicy>({ name: 'GOV_NOTIONAL_UNKNOWN', description: 'a plan that may increase exposure with unknown quantity or price while a notional limit is on: block (notional_unknown) or allow (notional_unknown_allowed, nothing added to the day total)', default: 'block', values: NOTIONAL_UNKNOWN_POLICIES }),
  GOV_PRICE_KEY_PATTERN: stringVariable({ name: 'GOV_PRICE_KEY_PATTERN', description: `price source for plans without a price: a hash key with ${SYMBOL_PLACEHOLDER}, e.g. ${MARKET_KEY_PATTERN} (optional; unset or empty: no price source)`, pattern: PRICE_KEY_PATTERN, allowed: `empty (no price source), or a Redis key name (no spaces) holding ${SYMBOL_PLACEHOLDER} exactly once` }),
  GOV_PRICE_FIELD: stringVariable({ name: 'GOV_PRICE_FIELD', description: 'field of the price hash holding the price', default: 'price', pattern: FIELD_PATTERN, allowed: 'a hash field name (no spaces)' }),
  GOV_PRICE_TS_FIELD: stringVariable({ name: 'GOV_PRICE_TS_FIELD', description: 'field of the price hash holding its time (epoch seconds)', default: 'ts', pattern: FIELD_PATTERN, allowed: 'a hash field name (no spaces)' }),
  GOV_PRICE_MAX_AGE_SEC: decimalVariable({ name: 'GOV_PRICE_MAX_AGE_SEC', description: 'a price source value older than this many seconds is unknown', default: 60, minExclusive: 0 }),
  P31_DOWNSIZE_THRESHOLD: decimalVariable({ name: 'P31_DOWNSIZE_THRESHOLD', description: 'a usable efficiency score below this downsizes', default: 0.45, min: 0, max: 1 }),
  P31_MIN_FACTOR: decimalVariable({ name: 'P31_MIN_FACTOR', description: 'smallest downsize factor', default: 0.25, minExclusive: 0, max: 1 }),
  P31_MAX_EXTRA_COOLDOWN_SEC: integerVariable({ name: 'P31_MAX_EXTRA_COOLDOWN_SEC', description: 'extra cooldown at score 0 (scaled by 1 - score)', default: 120, min: 0, allowed: 'a whole number of seconds, 0 or more' }),
  P31_EFF_TTL_SEC: wholeSecondsVariable('P31_EFF_TTL_SEC', 'an efficiency reading older than this is not used (stale_eff)', 600),
  ...efficiencyGateVariables(),
  P31_ENFORCE_DOWNSIZE: booleanVariable({ name: 'P31_ENFORCE_DOWNSIZE', description: 'apply the downsize factor to computed_qty and computed_notional', default: false }),
};

export type GovernorSchema = typeof schema;
export type GovernorConfig = VariableValues<GovernorSchema>;

/** Every variable governor reads. */
export const GOVERNOR_CONFIG = defineServiceConfig(schema);
