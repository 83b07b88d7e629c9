/**
 * The names the contract fixes (shared/spec/CONTRACT.md §1, §3, §4; UPSTREAM.md): key prefixes,
 * streams, the consumer group, the kill switch key, the market feed key pattern and the symbol
 * pattern. The one place they are written: the config catalogue's defaults, both services'
 * default settings, `ctl` (inject, verify, simulate) and the benchmarks import them from here.
 * A key is its prefix followed by the symbol (or the plan_id).
 */

/** `{SYMBOL}` → the allocation target hash, written by the allocator (§1). */
export const TARGET_KEY_PREFIX = 'quantum:allocation:target:';
/** `{SYMBOL}` → the capital efficiency hash, written by the efficiency scorer (§1). */
export const EFFICIENCY_KEY_PREFIX = 'quantum:capital:efficiency:';
/** `{SYMBOL}` → allocation-target's proposal hash (§3). */
export const PROPOSED_KEY_PREFIX = 'quantum:allocation:target:proposed:';
/** `{plan_id}` → the governor's permit, a JSON string (§4). */
export const PERMIT_KEY_PREFIX = 'quantum:permit:';
/** `{plan_id}` → the governor's block record, a JSON string (§4). */
export const BLOCK_KEY_PREFIX = 'quantum:governor:block:';
/** String key; `"1"` turns the kill switch on (§1). */
export const KILL_SWITCH_KEY = 'quantum:kill';

/** Intended trades from the apply layer and the intent bridge (§1.1). */
export const PLAN_STREAM = 'quantum:stream:apply.plan';
/** Where malformed or undeliverable plans are copied (§4). */
export const PLAN_DLQ_STREAM = 'quantum:stream:apply.plan.dlq';
/** The governor's audit stream: every decision (§4). */
export const GOVERNOR_EVENTS_STREAM = 'quantum:stream:governor.events';
/** allocation-target's proposals (§3). */
export const PROPOSE_STREAM = 'quantum:stream:allocation.target.proposed';
/** The consumer group the governor reads {@link PLAN_STREAM} in (§4). */
export const GOVERNOR_GROUP = 'governor';

/** The placeholder a key pattern holds for the symbol. */
export const SYMBOL_PLACEHOLDER = '{SYMBOL}';
/** The websocket `bybit` market feed's hash of a symbol (UPSTREAM.md "Market feed"; the contract's example price source). */
export const MARKET_KEY_PATTERN = `quantum:market:${SYMBOL_PLACEHOLDER}:bybit`;

/** A symbol, the last segment of a key: `[A-Za-z0-9._-]{1,40}` (§1). */
export const SYMBOL_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;
