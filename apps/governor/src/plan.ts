import { parseDecimal } from '@quantum/efficiency-core';

/** A plan from `quantum:stream:apply.plan` that passed validation (contract §1, §4). */
export interface Plan {
  readonly planId: string;
  readonly symbol: string;
  readonly decision: string;
  /** `''` when absent. */
  readonly action: string;
  readonly side: string;
  /** Undefined when the field is absent or empty. */
  readonly killScore: number | undefined;
  readonly qty: number | undefined;
  /** Undefined = price unknown (absent or empty). */
  readonly price: number | undefined;
}

export type PlanParse = { readonly ok: true; readonly plan: Plan } | { readonly ok: false; readonly reason: string; readonly planId: string; readonly symbol: string };

/** Largest accepted value, in UTF-8 bytes, of each field the governor reads. */
export const MAX_FIELD_BYTES = 256;
/** Largest accepted entry (all fields, names and values), in UTF-8 bytes. */
export const MAX_ENTRY_BYTES = 65536;

export const PLAN_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
export const SYMBOL_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;
export const DECISION_PATTERN = /^[A-Za-z_]{1,32}$/;

export const CLOSE_ACTIONS: ReadonlySet<string> = new Set(['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25']);

/**
 * Parses the flat field list of one stream entry. Pure. Rules (docs/governor.md "Plans"):
 * `plan_id`, `symbol`, `decision` required and well-formed; `kill_score`, `qty`, `price` plain
 * decimals when present and non-empty (`price` empty = unknown); an `EXECUTE` plan also needs
 * `qty` (>= 0) and `kill_score` (0..1); every read field at most {@link MAX_FIELD_BYTES} bytes,
 * the entry at most {@link MAX_ENTRY_BYTES}; a read field given twice is refused.
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
  if (killScore === null) return fail('invalid_kill_score', planId, symbol);
  const qty = optionalNumber(vQty);
  if (qty === null || (qty !== undefined && qty < 0)) return fail('invalid_qty', planId, symbol);
  const price = optionalNumber(vPrice);
  if (price === null || (price !== undefined && price < 0)) return fail('invalid_price', planId, symbol);
  // Each number parsed, but their product does not fit a double: no notional can be computed,
  // recorded or limited, so the plan is as unusable as one with an unparsable number.
  if (qty !== undefined && price !== undefined && !Number.isFinite(qty * price)) return fail('notional_overflow', planId, symbol);

  if (decision === 'EXECUTE') {
    if (qty === undefined) return fail('missing_qty', planId, symbol);
    if (killScore === undefined) return fail('missing_kill_score', planId, symbol);
    if (killScore < 0 || killScore > 1) return fail('invalid_kill_score', planId, symbol);
  }
  return {
    ok: true,
    plan: { planId, symbol, decision, action: vAction ?? '', side: vSide ?? '', killScore, qty, price },
  };
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

export function isCloseAction(action: string): boolean {
  return CLOSE_ACTIONS.has(action);
}
