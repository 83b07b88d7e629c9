import { staticVerdict } from './static-gates';
import type { Plan } from './plan';

const LIMITS = { killScoreCritical: 0.8, maxNotionalPerTrade: 200, maxNotionalPerDay: 5000 };

function plan(overrides: Partial<Plan> = {}): Plan {
  return { planId: 'p', symbol: 'BTCUSDT', decision: 'EXECUTE', action: 'OPEN_PROPOSED', side: 'BUY', killScore: 0.1, qty: 1, price: 100, ...overrides };
}

describe('staticVerdict (gate 3 and the stateless part of gate 6)', () => {
  it.each([
    ['an open plan within the limits', plan(), 100, LIMITS, ''],
    ['kill_score exactly at the critical level', plan({ killScore: 0.8 }), 100, LIMITS, 'kill_score_critical_non_close'],
    ['kill_score just below it', plan({ killScore: 0.79 }), 100, LIMITS, ''],
    ['a close action (skips gates 3-6)', plan({ action: 'PARTIAL_50', killScore: 0.99 }), undefined, LIMITS, 'close'],
    ['notional exactly the per-trade limit', plan(), 200, LIMITS, ''],
    ['notional above the per-trade limit', plan(), 200.01, LIMITS, 'notional_per_trade_exceeded'],
    ['both gates say no: gate 3 comes first', plan({ killScore: 0.9 }), 300, LIMITS, 'kill_score_critical_non_close'],
    ['unknown price with a notional limit on', plan({ price: undefined }), undefined, LIMITS, 'notional_unknown'],
    ['unknown price with only the day limit on', plan({ price: undefined }), undefined, { ...LIMITS, maxNotionalPerTrade: 0 }, 'notional_unknown'],
    ['unknown price with both notional limits off', plan({ price: undefined }), undefined, { ...LIMITS, maxNotionalPerTrade: 0, maxNotionalPerDay: 0 }, ''],
    ['per-trade limit off', plan(), 1e9, { ...LIMITS, maxNotionalPerTrade: 0 }, ''],
  ])('%s', (_, p, notional, limits, expected) => {
    expect(staticVerdict(p, notional, limits)).toBe(expected);
  });
});
