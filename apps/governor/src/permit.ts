import type { PermitSettings } from '@quantum/config';
import { downsizeHint, formatFixed, readEfficiency, type DownsizeHint, type EfficiencyGates, type EfficiencyHash, type EfficiencyReading, redisErrorReading } from '@quantum/efficiency-core';
import type { Plan } from './plan';

/** What the efficiency hash read gave for a symbol: the hash (null = none) or a Redis error. */
export type EfficiencyLookup = { readonly hash: EfficiencyHash | null } | { readonly error: unknown };

export interface PermitDraft {
  /** The permit JSON string, keys in contract order (plus `requested_qty` last when enforcing). */
  readonly json: string;
  readonly reading: EfficiencyReading;
  readonly hint: DownsizeHint;
  /** qty * price as requested; undefined when either is unknown. */
  readonly notional: number | undefined;
  /** The notional the permit grants (downsized when enforcing); undefined when unknown. */
  readonly computedNotional: number | undefined;
}

/**
 * The part of a permit that depends only on the symbol's efficiency lookup and `now`: the same for
 * every plan of the symbol in a batch, so it is computed once per symbol and batch.
 */
export interface PermitBasis {
  readonly reading: EfficiencyReading;
  readonly hint: DownsizeHint;
  /** `"created_at":...,"consumed":false,"eff_score":...,"extra_cooldown_sec":"..."`, in contract order. */
  readonly middle: string;
}

export function readingFor(lookup: EfficiencyLookup, now: number, gates: EfficiencyGates): EfficiencyReading {
  if ('error' in lookup) return redisErrorReading();
  return readEfficiency(lookup.hash, now, gates);
}

/** The efficiency reading, hint and their permit fields for a symbol's lookup at `now` (contract §2.2, §2.3). Pure. */
export function permitBasis(lookup: EfficiencyLookup, now: number, settings: PermitSettings): PermitBasis {
  const reading = readingFor(lookup, now, settings.gates);
  const hint = downsizeHint(reading, settings.downsize);
  const factor = formatFixed(hint.factor, 4);
  const middle =
    `"created_at":${jsonNumber(now)},"consumed":false,"eff_score":${JSON.stringify(formatFixed(reading.score, 4))},` +
    `"eff_confidence":${JSON.stringify(formatFixed(reading.confidence, 3))},"eff_stale":"${reading.stale ? '1' : '0'}",` +
    `"eff_factor":${JSON.stringify(factor)},"eff_action":${JSON.stringify(hint.action)},"eff_reason":${JSON.stringify(reading.reason)},` +
    `"downsize_factor":${JSON.stringify(factor)},"extra_cooldown_sec":${JSON.stringify(String(hint.extraCooldownSec))}`;
  return { reading, hint, middle };
}

/**
 * The permit for a plan that would be permitted, on its symbol's basis, at `price` (the plan's
 * own, else the price source's; undefined = unknown) (contract §4, §2.3). Pure.
 * Keys in this order: `granted, symbol, decision, computed_qty, computed_notional, created_at,
 * consumed, eff_score, eff_confidence, eff_stale, eff_factor, eff_action, eff_reason,
 * downsize_factor, extra_cooldown_sec, plan_id` (then `requested_qty` when enforcing): the JSON
 * that `JSON.stringify` gives for an object with these keys, written directly.
 * The efficiency hint never blocks; only with `enforceDownsize` does it scale
 * `computed_qty`/`computed_notional`, and then `requested_qty` keeps the original quantity.
 * An unknown quantity or notional is `null`, never faked as 0.
 */
export function permitFor(plan: Plan, basis: PermitBasis, settings: PermitSettings, price: number | undefined = plan.price): PermitDraft {
  const hint = basis.hint;
  const qty = plan.qty;
  const product = qty === undefined || price === undefined ? undefined : qty * price;
  // a source price times the plan's quantity may not fit a double: no notional to limit
  const notional = product !== undefined && Number.isFinite(product) ? product : undefined;
  const downsize = settings.enforceDownsize && hint.action === 'DOWNSIZE';
  const computedQty = qty === undefined || !downsize ? qty : qty * hint.factor;
  const computedNotional = notional === undefined || !downsize ? notional : notional * hint.factor;
  const json =
    `{"granted":true,"symbol":${JSON.stringify(plan.symbol)},"decision":"EXECUTE","computed_qty":${jsonNumber(computedQty)},` +
    `"computed_notional":${jsonNumber(computedNotional)},${basis.middle},` +
    `"plan_id":${JSON.stringify(plan.planId)}${settings.enforceDownsize ? `,"requested_qty":${jsonNumber(qty)}` : ''}}`;
  return { json, reading: basis.reading, hint, notional, computedNotional };
}

/** A number as JSON.stringify writes it (shortest round trip; null when unknown or not finite). */
function jsonNumber(x: number | undefined): string {
  return x !== undefined && Number.isFinite(x) ? String(x) : 'null';
}
