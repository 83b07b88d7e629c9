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

const READ_FIELDS = new Set(['plan_id', 'symbol', 'action', 'decision', 'kill_score', 'side', 'qty', 'price', 'timestamp']);

/**
 * Parses the flat field list of one stream entry. Pure. Rules (docs/governor.md "Plans"):
 * `plan_id`, `symbol`, `decision` required and well-formed; `kill_score`, `qty`, `price` plain
 * decimals when present and non-empty (`price` empty = unknown); an `EXECUTE` plan also needs
 * `qty` (>= 0) and `kill_score` (0..1); every read field at most {@link MAX_FIELD_BYTES} bytes,
 * the entry at most {@link MAX_ENTRY_BYTES}; a read field given twice is refused.
 */
export function parsePlan(fields: readonly string[]): PlanParse {
  const values = new Map<string, string>();
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so `3 * length` bounds the size: the exact
  // byte count (Buffer.byteLength) is needed only when that bound exceeds a limit.
  let upper = 0;
  let problem: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!;
    const value = fields[i + 1]!;
    upper += 3 * (name.length + value.length);
    if (!READ_FIELDS.has(name)) continue;
    if (values.has(name)) problem ??= `duplicate_field:${name}`;
    if (3 * value.length > MAX_FIELD_BYTES && Buffer.byteLength(value) > MAX_FIELD_BYTES) problem ??= `field_too_large:${name}`;
    values.set(name, value);
  }
  const total = upper <= MAX_ENTRY_BYTES ? 0 : entryBytes(fields);
  const rawId = values.get('plan_id') ?? '';
  const rawSymbol = values.get('symbol') ?? '';
  const planId = PLAN_ID_PATTERN.test(rawId) ? rawId : '';
  const symbol = SYMBOL_PATTERN.test(rawSymbol) ? rawSymbol : '';
  const fail = (reason: string): PlanParse => ({ ok: false, reason, planId, symbol });

  if (fields.length % 2 !== 0) return fail('odd_field_count');
  if (total > MAX_ENTRY_BYTES) return fail('entry_too_large');
  if (problem) return fail(problem);
  if (!values.has('plan_id') || rawId === '') return fail('missing_plan_id');
  if (!planId) return fail('invalid_plan_id');
  if (!values.has('symbol') || rawSymbol === '') return fail('missing_symbol');
  if (!symbol) return fail('invalid_symbol');
  const decision = values.get('decision') ?? '';
  if (decision === '') return fail('missing_decision');
  if (!DECISION_PATTERN.test(decision)) return fail('invalid_decision');

  const killScore = optionalNumber(values.get('kill_score'));
  if (killScore === null) return fail('invalid_kill_score');
  const qty = optionalNumber(values.get('qty'));
  if (qty === null || (qty !== undefined && qty < 0)) return fail('invalid_qty');
  const price = optionalNumber(values.get('price'));
  if (price === null || (price !== undefined && price < 0)) return fail('invalid_price');
  // Each number parsed, but their product does not fit a double: no notional can be computed,
  // recorded or limited, so the plan is as unusable as one with an unparsable number.
  if (qty !== undefined && price !== undefined && !Number.isFinite(qty * price)) return fail('notional_overflow');

  if (decision === 'EXECUTE') {
    if (qty === undefined) return fail('missing_qty');
    if (killScore === undefined) return fail('missing_kill_score');
    if (killScore < 0 || killScore > 1) return fail('invalid_kill_score');
  }
  return {
    ok: true,
    plan: { planId, symbol, decision, action: values.get('action') ?? '', side: values.get('side') ?? '', killScore, qty, price },
  };
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
