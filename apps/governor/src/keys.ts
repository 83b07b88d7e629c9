/**
 * The key names the decide script writes and reads, by prefix (docs/governor.md "Outcomes,
 * records and reasons"); the script gets them as arguments (scripts/decide-protocol.ts).
 */

/** `{plan_id}`: `entry_id|outcome|reason` of the entry that decided the plan. */
export const DECISION_KEY_PREFIX = 'quantum:governor:decision:';
/** `{entry_id}`: `outcome|reason` of an entry that claims no plan_id (dead letters, already_decided duplicates). */
export const ENTRY_KEY_PREFIX = 'quantum:governor:entry:';
/** `{plan_id}`: the permit JSON; `{plan_id}`: the block record JSON (contract names). */
export { BLOCK_KEY_PREFIX, PERMIT_KEY_PREFIX } from '@quantum/config';
/** `{symbol}`: the symbol's gate state (scripts/includes/gate-state.lua). */
export const GATE_KEY_PREFIX = 'quantum:governor:gate:';
/**
 * The older layout of the gate state: `{symbol}` a sorted set of permit times in epoch ms,
 * `{symbol}:{day}` the day's notional. Read once, for a symbol without a gate state, so a
 * deployment that still has such keys keeps its cooldowns, counts and the day's notional.
 */
export const LEGACY_PERMITS_PREFIX = 'quantum:governor:permits:';
export const LEGACY_NOTIONAL_PREFIX = 'quantum:governor:notional:';
