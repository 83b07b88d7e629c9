import { downsizeHint, formatFixed, readEfficiency, type DownsizeHint, type DownsizeParams, type EfficiencyGates, type EfficiencyHash, type EfficiencyReading, redisErrorReading } from '@quantum/efficiency-core';
import type { Plan } from './plan';

export interface PermitSettings {
  readonly gates: EfficiencyGates;
  readonly downsize: DownsizeParams;
  /** P31_ENFORCE_DOWNSIZE */
  readonly enforceDownsize: boolean;
}

/** What the efficiency hash read gave for a symbol: the hash (null = none) or a Redis error. */
export type EfficiencyLookup = { readonly hash: EfficiencyHash | null } | { readonly error: unknown };

export interface PermitDraft {
  /** The permit JSON string, keys in contract order (plus `requested_qty` last when enforcing). */
  readonly json: string;
  readonly reading: EfficiencyReading;
  readonly hint: DownsizeHint;
  /** qty * price as requested; undefined when the price is unknown. */
  readonly notional: number | undefined;
  /** The notional the permit grants (downsized when enforcing); undefined when unknown. */
  readonly computedNotional: number | undefined;
}

export function readingFor(lookup: EfficiencyLookup, now: number, gates: EfficiencyGates): EfficiencyReading {
  if ('error' in lookup) return redisErrorReading();
  return readEfficiency(lookup.hash, now, gates);
}

/**
 * Builds the permit for a plan that would be permitted at `now` (contract §4, §2.3). Pure.
 * The efficiency hint never blocks; only with `enforceDownsize` does it scale
 * `computed_qty`/`computed_notional`, and then `requested_qty` keeps the original quantity.
 * An unknown notional (price unknown, only possible when no notional limit is on) is `null`.
 */
export function buildPermit(plan: Plan, lookup: EfficiencyLookup, now: number, settings: PermitSettings): PermitDraft {
  const reading = readingFor(lookup, now, settings.gates);
  const hint = downsizeHint(reading, settings.downsize);
  const qty = plan.qty ?? 0;
  const notional = plan.price === undefined ? undefined : qty * plan.price;
  const factor = settings.enforceDownsize ? hint.factor : 1;
  const computedQty = settings.enforceDownsize && hint.action === 'DOWNSIZE' ? qty * factor : qty;
  const computedNotional = notional === undefined ? undefined : settings.enforceDownsize && hint.action === 'DOWNSIZE' ? notional * factor : notional;
  const permit: Record<string, unknown> = {
    granted: true,
    symbol: plan.symbol,
    decision: 'EXECUTE',
    computed_qty: computedQty,
    computed_notional: computedNotional ?? null,
    created_at: now,
    consumed: false,
    eff_score: formatFixed(reading.score, 4),
    eff_confidence: formatFixed(reading.confidence, 3),
    eff_stale: reading.stale ? '1' : '0',
    eff_factor: formatFixed(hint.factor, 4),
    eff_action: hint.action,
    eff_reason: reading.reason,
    downsize_factor: formatFixed(hint.factor, 4),
    extra_cooldown_sec: String(hint.extraCooldownSec),
    plan_id: plan.planId,
  };
  if (settings.enforceDownsize) permit['requested_qty'] = qty;
  return { json: JSON.stringify(permit), reading, hint, notional, computedNotional };
}
