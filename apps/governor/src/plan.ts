import { SYMBOL_PATTERN } from '@quantum/config';
import { parseDecimal } from '@quantum/efficiency-core';

/** A plan from `quantum:stream:apply.plan` that passed validation (contract §1.1, §4). */
export interface Plan {
  readonly planId: string;
  readonly symbol: string;
  readonly decision: string;
  /** `''` when absent (the intent bridge sends none). */
  readonly action: string;
  readonly side: string;
  /** Undefined when absent or empty: the kill-score gate does not apply. */
  readonly killScore: number | undefined;
  /** `qty` when given, else `close_qty` when above 0, else undefined (unknown). */
  readonly qty: number | undefined;
  /** The plan's own price; undefined when absent or empty (a price source may know it). */
  readonly price: number | undefined;
  /** False for the close actions, `UPDATE_SL` and `reduceOnly=true`: gates 3-6 do not apply. */
  readonly mayIncreaseExposure: boolean;
}

export type PlanParse = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string; readonly planId: string; readonly symbol: string };

/** Largest accepted value, in UTF-8 bytes, of each field the governor reads. */
export const MAX_FIELD_BYTES = 256;
/** Largest accepted entry (all fields, names and values), in UTF-8 bytes. */
export const MAX_ENTRY_BYTES = 65536;

export const PLAN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const DECISION_PATTERN = /^[A-Za-z_]{1,32}$/;

const CLOSE_ACTIONS: ReadonlySet<string> = new Set(['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25']);
/** Actions that cannot increase exposure: the closes and a stop-loss update. */
const NO_EXPOSURE_ACTIONS: ReadonlySet<string> = new Set([...CLOSE_ACTIONS, 'UPDATE_SL']);
/** `reduceOnly` values: Python's `str(bool)` and JSON's spelling, and 1/0. */
const REDUCE_ONLY_VALUES: ReadonlyMap<string, boolean> = new Map([['true', true], ['True', true], ['1', true], ['false', false], ['False', false], ['0', false]]);

/**
 * Parses the flat field list of one stream entry. Pure. Rules (docs/governor.md "Plans"):
 * `plan_id`, `symbol`, `decision` required and well-formed; `kill_score` (0..1), `qty`,
 * `close_qty`, `price` (>= 0) plain decimals and `reduceOnly` a boolean when present and
 * non-empty; a field a producer does not send is never required; every read field at most
 * {@link MAX_FIELD_BYTES} bytes, the entry at most {@link MAX_ENTRY_BYTES}; a read field given
 * twice is refused.
 */
export function parsePlan(fields: readonly string[]): PlanParse {
  // One flat scan into locals (no Map per entry): the last value of a read field wins, a read
  // field given twice is a problem, exactly as a name -> value map would give.
  let vPlanId: string | undefined;
  let vSymbol: string | undefined;
  let vAction: string | undefined;
  let vDecision: string | undefined;
  let vKillScore: string | undefined;
  let vSide: string | undefined;
  let vQty: string | undefined;
  let vCloseQty: string | undefined;
  let vReduceOnly: string | undefined;
  let vPrice: string | undefined;
  let seenTimestamp = false;
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so `3 * length` bounds the size: the exact
  // byte count (Buffer.byteLength) is needed only when that bound exceeds a limit.
  let upper = 0;
  let problem: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    upper += 3 * (name.length + value.length);
    let seen: boolean;
    switch (name) {
      case 'plan_id': seen = vPlanId !== undefined; vPlanId = value; break;
      case 'symbol': seen = vSymbol !== undefined; vSymbol = value; break;
      case 'action': seen = vAction !== undefined; vAction = value; break;
      case 'decision': seen = vDecision !== undefined; vDecision = value; break;
      case 'kill_score': seen = vKillScore !== undefined; vKillScore = value; break;
      case 'side': seen = vSide !== undefined; vSide = value; break;
      case 'qty': seen = vQty !== undefined; vQty = value; break;
      case 'close_qty': seen = vCloseQty !== undefined; vCloseQty = value; break;
      case 'reduceOnly': seen = vReduceOnly !== undefined; vReduceOnly = value; break;
      case 'price': seen = vPrice !== undefined; vPrice = value; break;
      case 'timestamp': seen = seenTimestamp; seenTimestamp = true; break;
      default: continue;
    }
    if (seen) problem ??= `duplicate_field:${name}`;
    if (3 * value.length > MAX_FIELD_BYTES && Buffer.byteLength(value) > MAX_FIELD_BYTES) problem ??= `field_too_large:${name}`;
  }
  const total = upper <= MAX_ENTRY_BYTES ? 0 : entryBytes(fields);
  const rawId = vPlanId ?? '';
  const rawSymbol = vSymbol ?? '';
  const planId = PLAN_ID_PATTERN.test(rawId) ? rawId : '';
  const symbol = SYMBOL_PATTERN.test(rawSymbol) ? rawSymbol : '';

  if (fields.length % 2 !== 0) return fail('odd_field_count', planId, symbol);
  if (total > MAX_ENTRY_BYTES) return fail('entry_too_large', planId, symbol);
  if (problem) return fail(problem, planId, symbol);
  if (rawId === '') return fail('missing_plan_id', planId, symbol);
  if (!planId) return fail('invalid_plan_id', planId, symbol);
  if (rawSymbol === '') return fail('missing_symbol', planId, symbol);
  if (!symbol) return fail('invalid_symbol', planId, symbol);
  const decision = vDecision ?? '';
  if (decision === '') return fail('missing_decision', planId, symbol);
  if (!DECISION_PATTERN.test(decision)) return fail('invalid_decision', planId, symbol);

  const killScore = optionalNumber(vKillScore);
  if (killScore === null || (killScore !== undefined && (killScore < 0 || killScore > 1))) return fail('invalid_kill_score', planId, symbol);
  const ownQty = optionalNumber(vQty);
  if (ownQty === null || (ownQty !== undefined && ownQty < 0)) return fail('invalid_qty', planId, symbol);
  const closeQty = optionalNumber(vCloseQty);
  if (closeQty === null || (closeQty !== undefined && closeQty < 0)) return fail('invalid_close_qty', planId, symbol);
  const price = optionalNumber(vPrice);
  if (price === null || (price !== undefined && price < 0)) return fail('invalid_price', planId, symbol);
  const reduceOnly = vReduceOnly === undefined || vReduceOnly === '' ? false : REDUCE_ONLY_VALUES.get(vReduceOnly);
  if (reduceOnly === undefined) return fail('invalid_reduce_only', planId, symbol);
  // `close_qty` 0 is the apply layer's "decided at execution": unknown, not zero
  const qty = ownQty ?? (closeQty !== undefined && closeQty > 0 ? closeQty : undefined);
  // Each number parsed, but their product does not fit a double: no notional can be computed,
  // recorded or limited, so the plan is as unusable as one with an unparsable number.
  if (qty !== undefined && price !== undefined && !Number.isFinite(qty * price)) return fail('notional_overflow', planId, symbol);

  const action = vAction ?? '';
  return {
    ok: true,
    plan: { planId, symbol, decision, action, side: vSide ?? '', killScore, qty, price, mayIncreaseExposure: !reduceOnly && !NO_EXPOSURE_ACTIONS.has(action) },
  };
}

/**
 * {@link parsePlan} of a stream entry as the consumer hands it over: an entry with a value cut
 * for its size (`cut`, above the consumer's limit, which is {@link MAX_ENTRY_BYTES}) is
 * `entry_too_large` whatever the kept beginnings say; its plan_id and symbol are still named
 * when they were readable.
 */
export function parseEntryPlan(entry: { readonly fields: readonly string[]; readonly cut?: readonly unknown[] }): PlanParse {
  const p = parsePlan(entry.fields);
  if (entry.cut === undefined || entry.cut.length === 0) return p;
  return p.ok ? fail('entry_too_large', p.plan.planId, p.plan.symbol) : fail('entry_too_large', p.planId, p.symbol);
}

function fail(reason: string, planId: string, symbol: string): PlanParse {
  return { ok: false, reason, planId, symbol };
}

function entryBytes(fields: readonly string[]): number {
  let total = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) total += Buffer.byteLength(fields[i]!) + Buffer.byteLength(fields[i + 1]!);
  return total;
}

/** undefined: absent or empty; null: present but not a plain finite decimal. */
function optionalNumber(raw: string | undefined): number | undefined | null {
  if (raw === undefined || raw === '') return undefined;
  const value = parseDecimal(raw);
  return value === undefined ? null : value;
}
