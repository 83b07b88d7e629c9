import {
  BLOCK_KEY_PREFIX,
  EFFICIENCY_KEY_PREFIX,
  GOVERNOR_EVENTS_STREAM,
  GOVERNOR_GROUP,
  KILL_SWITCH_KEY,
  PERMIT_KEY_PREFIX,
  PLAN_DLQ_STREAM,
  PLAN_STREAM,
  PROPOSE_STREAM,
  PROPOSED_KEY_PREFIX,
  TARGET_KEY_PREFIX,
} from '@quantum/config';

/** Key and stream names of the contract (CONTRACT.md §1, §3, §4; the names are @quantum/config's contract-names). */
export const KEYS = {
  target: (symbol: string) => `${TARGET_KEY_PREFIX}${symbol}`,
  efficiency: (symbol: string) => `${EFFICIENCY_KEY_PREFIX}${symbol}`,
  proposed: (symbol: string) => `${PROPOSED_KEY_PREFIX}${symbol}`,
  permit: (planId: string) => `${PERMIT_KEY_PREFIX}${planId}`,
  block: (planId: string) => `${BLOCK_KEY_PREFIX}${planId}`,
  kill: KILL_SWITCH_KEY,
  planStream: PLAN_STREAM,
  planDlq: PLAN_DLQ_STREAM,
  proposedStream: PROPOSE_STREAM,
  governorEvents: GOVERNOR_EVENTS_STREAM,
  governorGroup: GOVERNOR_GROUP,
} as const;

/** Upstream expiries (UPSTREAM.md). */
export const UPSTREAM_TTL = { target: 300, efficiency: 600 } as const;
export const PLAN_STREAM_MAXLEN = 10_000;

/** `{a: '1', b: '2'}` → `['a', '1', 'b', '2']` (stream field order = insertion order). */
export function flattenFields(fields: Readonly<Record<string, string>>): string[] {
  return Object.entries(fields).flat();
}
