import { isCloseAction, type Plan } from './plan';

/** The limits the gates that need no shared state read (contract §4, gates 3 and 6). */
export interface StaticGateLimits {
  readonly killScoreCritical: number;
  readonly maxNotionalPerTrade: number;
  readonly maxNotionalPerDay: number;
}

/**
 * What the gates that need no shared state say about an EXECUTE plan, for the decide script,
 * which runs the others around them in contract order:
 * - `'close'`: a close action, gates 3-6 do not apply;
 * - `'kill_score_critical_non_close'`: gate 3 says no (it comes before every gate with state);
 * - `'notional_unknown'`, `'notional_per_trade_exceeded'`: gate 6 says no from the plan alone
 *   (after the cooldown and count limits, before the day's notional);
 * - `''`: none of them says no.
 */
export type StaticVerdict = '' | 'close' | 'kill_score_critical_non_close' | 'notional_unknown' | 'notional_per_trade_exceeded';

/**
 * Gates 3 and the stateless part of 6 of an EXECUTE plan whose notional (`qty * price`, undefined
 * when the price is unknown) is `notional`. Pure.
 */
export function staticVerdict(plan: Plan, notional: number | undefined, limits: StaticGateLimits): StaticVerdict {
  if (isCloseAction(plan.action)) return 'close';
  if ((plan.killScore ?? 0) >= limits.killScoreCritical) return 'kill_score_critical_non_close';
  if (notional === undefined) return limits.maxNotionalPerTrade > 0 || limits.maxNotionalPerDay > 0 ? 'notional_unknown' : '';
  return limits.maxNotionalPerTrade > 0 && notional > limits.maxNotionalPerTrade ? 'notional_per_trade_exceeded' : '';
}
