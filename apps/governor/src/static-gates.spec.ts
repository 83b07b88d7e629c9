import { staticVerdict, type StaticGateLimits } from './static-gates';
import type { Plan } from './plan';

const LIMITS: StaticGateLimits = { killScoreCritical: 0.8, maxNotionalPerTrade: 200, maxNotionalPerDay: 5000, notionalUnknown: 'block' };
const ALLOW: StaticGateLimits = { ...LIMITS, notionalUnknown: 'allow' };

function plan(overrides: Partial<Plan> = {}): Plan {
  return { planId: 'p', symbol: 'BTCUSDT', decision: 'EXECUTE', action: 'OPEN_PROPOSED', side: 'BUY', killScore: 0.1, qty: 1, price: 100, mayIncreaseExposure: true, ...overrides };
}

describe('staticVerdict (gates 2, 3 and the stateless part of gate 6)', () => {
  it.each<[string, Plan, number | undefined, StaticGateLimits, string]>([
    ['an open plan within the limits', plan(), 100, LIMITS, ''],
    ['kill_score exactly at the critical level', plan({ killScore: 0.8 }), 100, LIMITS, 'kill_score_critical_non_close'],
    ['kill_score just below it', plan({ killScore: 0.79 }), 100, LIMITS, ''],
    ['no kill score: gate 3 does not apply', plan({ killScore: undefined }), 100, LIMITS, ''],
    ['a plan that cannot increase exposure skips gates 3-6', plan({ mayIncreaseExposure: false, killScore: 0.99 }), undefined, LIMITS, 'exempt'],
    ['... even far above the per-trade limit', plan({ mayIncreaseExposure: false }), 1e9, LIMITS, 'exempt'],
    ['notional exactly the per-trade limit', plan(), 200, LIMITS, ''],
    ['notional above the per-trade limit', plan(), 200.01, LIMITS, 'notional_per_trade_exceeded'],
    ['both gates say no: gate 3 comes first', plan({ killScore: 0.9 }), 300, LIMITS, 'kill_score_critical_non_close'],
    ['unknown notional with a notional limit on (block)', plan({ price: undefined }), undefined, LIMITS, 'notional_unknown'],
    ['unknown notional with only the day limit on', plan({ price: undefined }), undefined, { ...LIMITS, maxNotionalPerTrade: 0 }, 'notional_unknown'],
    ['unknown notional with both notional limits off', plan({ price: undefined }), undefined, { ...LIMITS, maxNotionalPerTrade: 0, maxNotionalPerDay: 0 }, ''],
    ['unknown notional, policy allow', plan({ qty: undefined }), undefined, ALLOW, 'notional_unknown_allowed'],
    ['unknown notional, policy allow, limits off', plan({ qty: undefined }), undefined, { ...ALLOW, maxNotionalPerTrade: 0, maxNotionalPerDay: 0 }, ''],
    ['policy allow does not lift gate 3', plan({ qty: undefined, killScore: 0.9 }), undefined, ALLOW, 'kill_score_critical_non_close'],
    ['policy allow with a known notional above the limit', plan(), 300, ALLOW, 'notional_per_trade_exceeded'],
    ['per-trade limit off', plan(), 1e9, { ...LIMITS, maxNotionalPerTrade: 0 }, ''],
  ])('%s', (_, p, notional, limits, expected) => {
    expect(staticVerdict(p, notional, limits)).toBe(expected);
  });
});
