import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { GATE_KEY_PREFIX } from '../src/keys';
import type { Decision } from '../src/decision';
import { Governor } from '../src/governor';
import { GovernorMetrics } from '../src/metrics';
import { priceSource } from '../src/price';
import type { GovernorSettings } from '../src/settings';
import { addPlans, readEvents, settings } from './helpers';

const T0 = 1_796_620_000;
const BYBIT = priceSource('quantum:market:{SYMBOL}:bybit', 'price', 'ts', 60, 60)!;

/** Entries as UPSTREAM.md shows them; `plan_id` and the changed fields given per test. */
function applyLayer(planId: string, overrides: Record<string, string> = {}): string[] {
  const fields: Record<string, string> = {
    plan_id: planId, symbol: 'ETHUSDT', action: 'PARTIAL_50', kill_score: '0.412', k_regime_flip: '0.1', k_sigma_spike: '0.3',
    k_ts_drop: '0.0', k_age_penalty: '0.05', new_sl_proposed: '', R_net: '1.8', decision: 'EXECUTE', reason_codes: '',
    steps: '[{"step": "CLOSE_PARTIAL_50", "type": "market_reduce_only", "side": "close", "pct": 50.0}]', close_qty: '0.0', price: '',
    timestamp: String(T0), ...overrides,
  };
  return Object.entries(fields).flat();
}
function intentBridge(planId: string, overrides: Record<string, string> = {}): string[] {
  const fields: Record<string, string> = {
    plan_id: planId, decision: 'EXECUTE', symbol: 'SOLUSDT', side: 'BUY', type: 'MARKET', qty: '1.25', reduceOnly: 'false',
    source: 'intent_bridge', signature: 'intent_bridge', timestamp: String(T0), ...overrides,
  };
  return Object.entries(fields).flat();
}

describe('Governor with the real producers\' plans (real Redis)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  async function decide(overrides: Partial<GovernorSettings>, plans: string[][]): Promise<Decision[]> {
    const gov = new Governor(redis, settings(overrides), { recorder: new GovernorMetrics(new Registry()), clock: () => T0 });
    const out = await gov.decide(await addPlans(redis, plans));
    return out.map((d) => {
      if (d instanceof Error) throw d;
      return d;
    });
  }
  const outcomes = (ds: readonly Decision[]) => ds.map((d) => `${d.outcome}:${d.reason}`);
  const permit = async (planId: string) => JSON.parse((await redis.get(`quantum:permit:${planId}`)) ?? 'null');
  const setPrice = (symbol: string, price: string, ts: number) => redis.hset(`quantum:market:${symbol}:bybit`, { price, ts: String(ts) });

  it('apply-layer closes and stop-loss updates pass with the defaults: no dead letter, no notional or count gate', async () => {
    const plans = [
      applyLayer('a1'), applyLayer('a2', { action: 'FULL_CLOSE_PROPOSED' }), applyLayer('a3', { action: 'UPDATE_SL', new_sl_proposed: '2010.5' }),
      applyLayer('a4', { action: 'PARTIAL_75', kill_score: '0.95' }), applyLayer('a5', { action: 'HOLD', decision: 'SKIP' }),
    ];
    const ds = await decide({}, plans);
    expect(outcomes(ds)).toEqual(['permitted:ok', 'permitted:ok', 'permitted:ok', 'permitted:ok', 'skipped:decision_skip']);
    expect(await permit('a1')).toMatchObject({ granted: true, symbol: 'ETHUSDT', computed_qty: null, computed_notional: null, plan_id: 'a1' });
    expect(await redis.xlen('quantum:stream:apply.plan.dlq')).toBe(0);
    // every permit counts for the symbol's history, none adds a notional nobody knows
    const state = (await redis.get(`${GATE_KEY_PREFIX}ETHUSDT`))!.split('|');
    expect(state.slice(0, 2)).toEqual(['2026-12-07', '0']);
    expect(state[2]!.length).toBe(4 * 13);
  });

  it('a stop-loss update is never held back by the cooldown or the counts that opens before it used up', async () => {
    const ds = await decide({ notionalUnknown: 'allow' }, [
      intentBridge('o1', { symbol: 'ETHUSDT' }), intentBridge('o2', { symbol: 'ETHUSDT' }), applyLayer('s1', { action: 'UPDATE_SL' }),
    ]);
    expect(outcomes(ds)).toEqual(['permitted:notional_unknown_allowed', 'blocked:symbol_cooldown', 'permitted:ok']);
  });

  it('intent-bridge opens without a price source: notional_unknown with the default policy', async () => {
    const ds = await decide({}, [intentBridge('i1'), intentBridge('i2', { reduceOnly: 'true', symbol: 'BTCUSDT' })]);
    expect(outcomes(ds)).toEqual(['blocked:notional_unknown', 'permitted:ok']);
    expect(JSON.parse((await redis.get('quantum:governor:block:i1'))!)).toEqual({ reason: 'notional_unknown', timestamp: T0, symbol: 'SOLUSDT' });
    expect(await permit('i2')).toMatchObject({ computed_qty: 1.25, computed_notional: null });
  });

  it('GOV_NOTIONAL_UNKNOWN=allow: permitted with reason notional_unknown_allowed, the day total unchanged', async () => {
    const ds = await decide({ notionalUnknown: 'allow' }, [intentBridge('i1')]);
    expect(outcomes(ds)).toEqual(['permitted:notional_unknown_allowed']);
    expect(await permit('i1')).toMatchObject({ computed_qty: 1.25, computed_notional: null });
    expect((await readEvents(redis)).map((e) => e['reason'])).toEqual(['notional_unknown_allowed']);
    expect(await redis.get('quantum:governor:decision:i1')).toMatch(/\|permitted\|notional_unknown_allowed$/);
    expect((await redis.get(`${GATE_KEY_PREFIX}SOLUSDT`))!.split('|').slice(0, 2)).toEqual(['2026-12-07', '0']);
  });

  it('with a price source: a fresh price gates by notional, a stale or missing one is unknown', async () => {
    await setPrice('SOLUSDT', '150', T0 - 10); // 1.25 * 150 = 187.5: within 200
    await setPrice('AVAXUSDT', '200', T0 - 5); // 1.25 * 200 = 250: above 200
    await setPrice('ADAUSDT', '0.5', T0 - 61); // stale
    const ds = await decide({ priceSource: BYBIT }, [
      intentBridge('f1'), intentBridge('f2', { symbol: 'AVAXUSDT' }), intentBridge('f3', { symbol: 'ADAUSDT' }), intentBridge('f4', { symbol: 'DOTUSDT' }),
    ]);
    expect(outcomes(ds)).toEqual(['permitted:ok', 'blocked:notional_per_trade_exceeded', 'blocked:notional_unknown', 'blocked:notional_unknown']);
    expect(await permit('f1')).toMatchObject({ computed_qty: 1.25, computed_notional: 187.5 });
    expect((await redis.get(`${GATE_KEY_PREFIX}SOLUSDT`))!.split('|').slice(0, 2)).toEqual(['2026-12-07', '187.5']);
  });

  it('the day limit counts notionals from the price source', async () => {
    await setPrice('SOLUSDT', '100', T0); // 125 per plan
    const ds = await decide({ priceSource: BYBIT, symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0, maxNotionalPerDay: 300 }, [
      intentBridge('d1'), intentBridge('d2'), intentBridge('d3'),
    ]);
    expect(outcomes(ds)).toEqual(['permitted:ok', 'permitted:ok', 'blocked:daily_limit_exceeded']);
  });

  it('the plan\'s own price wins over the source; a close gets a notional from the source', async () => {
    await setPrice('SOLUSDT', '1000', T0);
    await setPrice('ETHUSDT', '2000', T0);
    const ds = await decide({ priceSource: BYBIT }, [intentBridge('p1', { price: '100' }), applyLayer('p2', { close_qty: '0.05' })]);
    expect(outcomes(ds)).toEqual(['permitted:ok', 'permitted:ok']);
    expect(await permit('p1')).toMatchObject({ computed_notional: 125 });
    expect(await permit('p2')).toMatchObject({ computed_qty: 0.05, computed_notional: 100 });
  });

  it('a price key of the wrong type is an unknown price, not a failed entry', async () => {
    await redis.set('quantum:market:SOLUSDT:bybit', 'not a hash');
    const ds = await decide({ priceSource: BYBIT, notionalUnknown: 'allow' }, [intentBridge('w1')]);
    expect(outcomes(ds)).toEqual(['permitted:notional_unknown_allowed']);
  });

  it('the kill switch still stops closes', async () => {
    await redis.set('quantum:kill', '1');
    const ds = await decide({}, [applyLayer('k1'), applyLayer('k2', { action: 'UPDATE_SL' })]);
    expect(outcomes(ds)).toEqual(['blocked:kill_switch_active', 'blocked:kill_switch_active']);
  });

  it('a republished plan_id gets no second permit', async () => {
    await decide({}, [applyLayer('r1')]);
    await redis.del('quantum:permit:r1'); // consumed by the apply layer
    const ds = await decide({}, [applyLayer('r1')]);
    expect(outcomes(ds)).toEqual(['duplicate:already_decided']);
    expect(await redis.exists('quantum:permit:r1')).toBe(0);
  });
});
