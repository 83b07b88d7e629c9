import type { NotionalUnknownPolicy } from '@quantum/config';
import type { Plan } from './plan';

/** The limits the gates that need no shared state read (contract §4, gates 2, 3 and 6). */
export interface StaticGateLimits {
  readonly killScoreCritical: number;
  readonly maxNotionalPerTrade: number;
  readonly maxNotionalPerDay: number;
  /** GOV_NOTIONAL_UNKNOWN: what a notional limit does with a plan whose quantity or price is unknown. */
  readonly notionalUnknown: NotionalUnknownPolicy;
}

/**
 * What the gates that need no shared state say about an EXECUTE plan, for the decide script,
 * which runs the others around them in contract order:
 * - `'exempt'`: the plan cannot increase exposure, gates 3-6 do not apply (gate 2);
 * - `'kill_score_critical_non_close'`: gate 3 says no (it comes before every gate with state);
 * - `'notional_unknown'`, `'notional_per_trade_exceeded'`: gate 6 says no from the plan alone
 *   (after the cooldown and count limits, before the day's notional);
 * - `'notional_unknown_allowed'`: the notional is unknown and the policy lets it pass gate 6
 *   (nothing is added to the day's total; the permit's event gives this as its reason);
 * - `''`: none of them says no.
 */
export type StaticVerdict = '' | 'exempt' | 'kill_score_critical_non_close' | 'notional_unknown' | 'notional_unknown_allowed' | 'notional_per_trade_exceeded';

/**
 * Gates 2, 3 and the stateless part of 6 of an EXECUTE plan whose notional (`qty * price`,
 * undefined when either is unknown) is `notional`. Pure.
 */
export function staticVerdict(plan: Plan, notional: number | undefined, limits: StaticGateLimits): StaticVerdict {
  if (!plan.mayIncreaseExposure) return 'exempt';
  if (plan.killScore !== undefined && plan.killScore >= limits.killScoreCritical) return 'kill_score_critical_non_close';
  if (notional === undefined) {
    if (limits.maxNotionalPerTrade === 0 && limits.maxNotionalPerDay === 0) return '';
    return limits.notionalUnknown === 'allow' ? 'notional_unknown_allowed' : 'notional_unknown';
  }
  return limits.maxNotionalPerTrade > 0 && notional > limits.maxNotionalPerTrade ? 'notional_per_trade_exceeded' : '';
}
