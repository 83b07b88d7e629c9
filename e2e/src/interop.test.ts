/**
 * INTEROP — the built governor (a child process) against the pipeline's real producers, on a
 * throwaway Redis. Plans are written exactly as UPSTREAM.md shows them (field names, order and
 * values) and their permits consumed as the apply layer does: the other gates' permits beside the
 * governor's, polled every 100 ms for 1.2 s, taken with one atomic GET+DEL (the simulator's own
 * apply-layer code, tools/simulator/src/permit-consumer.ts).
 */
import Redis from 'ioredis';
import { RedisServerProcess } from '@quantum/redis-streams/testing';
import { consumePermits, type PermitResult } from '@quantum/simulator/permit-consumer';
import { writeGatePermits } from '@quantum/simulator/gate-permits';
import type { Decision, PlanRecord } from '@quantum/simulator/plan-record';
import { ensureBuilt, fieldsToMap, readyStatus, startService, waitFor, type ServiceChild } from './chaos/support';

jest.setTimeout(120_000);

const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';

type Fields = Record<string, string>;
type Plan = PlanRecord;

/** An apply-layer harvest plan, field for field as UPSTREAM.md's example entry. */
function applyLayer(planId: string, over: Fields = {}): Plan {
  const fields: Fields = {
    plan_id: planId, symbol: 'ETHUSDT', action: 'PARTIAL_50', kill_score: '0.412', k_regime_flip: '0.1', k_sigma_spike: '0.3',
    k_ts_drop: '0.0', k_age_penalty: '0.05', new_sl_proposed: '', R_net: '1.8', decision: 'EXECUTE', reason_codes: '',
    steps: '[{"step": "CLOSE_PARTIAL_50", "type": "market_reduce_only", "side": "close", "pct": 50.0}]', close_qty: '0.0', price: '',
    timestamp: String(Math.floor(Date.now() / 1000)), ...over,
  };
  return { planId, symbol: fields['symbol']!, producer: 'apply_layer', decision: fields['decision'] as Decision, fields };
}

/** An intent-bridge plan, field for field as UPSTREAM.md's example entry. */
function intentBridge(planId: string, over: Fields = {}): Plan {
  const fields: Fields = {
    plan_id: planId, decision: 'EXECUTE', symbol: 'SOLUSDT', side: 'BUY', type: 'MARKET', qty: '1.25', reduceOnly: 'false',
    source: 'intent_bridge', signature: 'intent_bridge', timestamp: String(Math.floor(Date.now() / 1000)), ...over,
  };
  return { planId, symbol: fields['symbol']!, producer: 'intent_bridge', decision: fields['decision'] as Decision, fields };
}

describe('interop: the real producers\' plans and the apply layer\'s permit consumption (built governor, real Redis)', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  let gov: ServiceChild | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    server = await RedisServerProcess.start();
    admin = new Redis({ host: server.host, port: server.port });
  }, 300_000);
  afterEach(async () => {
    await gov?.kill('SIGKILL');
    gov = undefined;
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  async function startGovernor(env: Fields = {}): Promise<ServiceChild> {
    await admin.flushall();
    gov = await startService('governor', { REDIS_URL: server.url, LOG_LEVEL: 'warn', ...env });
    const child = gov;
    await waitFor('governor ready', async () => (await readyStatus(child)) === 200);
    return child;
  }

  /** Publishes like the producers (XADD, fields in their order), then waits for permits like the apply layer. */
  async function publishAndConsume(plans: readonly Plan[]): Promise<Map<string, PermitResult>> {
    for (const p of plans) await admin.xadd(PLAN_STREAM, '*', ...Object.entries(p.fields).flat());
    const executes = plans.filter((p) => p.decision === 'EXECUTE');
    await writeGatePermits(admin, executes, Date.now() / 1000);
    const results = await Promise.all(executes.map(async (p) => [p.planId, await consumePermits(admin, p.planId)] as const));
    return new Map(results);
  }

  async function events(): Promise<Fields[]> {
    return ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
  }

  /** Every plan has exactly one event; returns `outcome:reason` by plan_id. */
  async function decisions(plans: readonly Plan[]): Promise<Record<string, string>> {
    await waitFor('a decision for every plan', async () => (await admin.xlen(EVENTS)) >= plans.length);
    const all = await events();
    const byPlan: Record<string, string> = {};
    for (const e of all) {
      expect(byPlan[e['plan_id']!]).toBeUndefined();
      byPlan[e['plan_id']!] = `${e['outcome']}:${e['reason']}`;
    }
    expect(Object.keys(byPlan).sort()).toEqual(plans.map((p) => p.planId).sort());
    expect(await admin.xlen(DLQ)).toBe(0);
    expect(Number(((await admin.xpending(PLAN_STREAM, 'governor')) as [number])[0])).toBe(0);
    return byPlan;
  }

  const consumed = (results: Map<string, PermitResult>) =>
    Object.fromEntries([...results].map(([id, r]) => [id, r.outcome]));

  it('default configuration, no price anywhere: every close and stop-loss update is permitted within 1.2 s; opens are notional_unknown', async () => {
    const g = await startGovernor();
    expect(g.output()).toMatch(/no price source is set/);
    const plans = [
      applyLayer('3f9a1c07d2b84e61'),
      applyLayer('a000000000000002', { action: 'FULL_CLOSE_PROPOSED' }),
      applyLayer('a000000000000003', { action: 'PARTIAL_75', kill_score: '0.93' }),
      applyLayer('a000000000000004', { action: 'UPDATE_SL', new_sl_proposed: '2012.5' }),
      applyLayer('a000000000000005', { action: 'UPDATE_SL', new_sl_proposed: '2013.0' }),
      applyLayer('a000000000000006', { action: 'HOLD', decision: 'SKIP', reason_codes: 'no_signal' }),
      applyLayer('a000000000000007', { action: 'PARTIAL_50', decision: 'BLOCKED', reason_codes: 'risk_budget' }),
      intentBridge('9c41e0b7a2d35f88'),
      intentBridge('b000000000000002', { symbol: 'BTCUSDT', side: 'SELL', qty: '0.002' }),
      intentBridge('b000000000000003', { symbol: 'XRPUSDT', side: 'SELL', reduceOnly: 'true', qty: '40' }),
    ];
    const results = await publishAndConsume(plans);
    expect(consumed(results)).toEqual({
      '3f9a1c07d2b84e61': 'consumed', a000000000000002: 'consumed', a000000000000003: 'consumed', a000000000000004: 'consumed',
      a000000000000005: 'consumed', '9c41e0b7a2d35f88': 'blocked', b000000000000002: 'blocked', b000000000000003: 'consumed',
    });
    expect(await decisions(plans)).toEqual({
      '3f9a1c07d2b84e61': 'permitted:ok', a000000000000002: 'permitted:ok', a000000000000003: 'permitted:ok',
      a000000000000004: 'permitted:ok', a000000000000005: 'permitted:ok', a000000000000006: 'skipped:decision_skip',
      a000000000000007: 'skipped:decision_blocked', '9c41e0b7a2d35f88': 'blocked:notional_unknown',
      b000000000000002: 'blocked:notional_unknown', b000000000000003: 'permitted:ok',
    });
    // the apply layer only parses the JSON; what it holds for a harvest plan
    expect(JSON.parse(results.get('3f9a1c07d2b84e61')!.permit!)).toMatchObject({ granted: true, symbol: 'ETHUSDT', decision: 'EXECUTE', computed_qty: null, computed_notional: null, plan_id: '3f9a1c07d2b84e61' });
    // nothing of the consumed sets is left; the refused plans' other permits are cleaned up
    expect(await admin.keys('quantum:permit:*')).toEqual([]);
  });

  it('a republished plan_id gets no second permit', async () => {
    await startGovernor();
    const plan = applyLayer('c000000000000001', { action: 'FULL_CLOSE_PROPOSED' });
    expect(consumed(await publishAndConsume([plan]))).toEqual({ c000000000000001: 'consumed' });
    expect(consumed(await publishAndConsume([plan]))).toEqual({ c000000000000001: 'timeout' });
    await waitFor('two events', async () => (await admin.xlen(EVENTS)) >= 2);
    expect((await events()).map((e) => `${e['outcome']}:${e['reason']}`)).toEqual(['permitted:ok', 'duplicate:already_decided']);
  });

  it('with a price source: a fresh price gates opens by notional; a stale or missing one is unknown; closes pass', async () => {
    const g = await startGovernor({ GOV_PRICE_KEY_PATTERN: 'quantum:market:{SYMBOL}:bybit' });
    expect(g.output()).not.toMatch(/no price source is set/);
    const now = Math.floor(Date.now() / 1000);
    await admin.hset('quantum:market:SOLUSDT:bybit', { price: '150', volume: '1000', bid: '149.9', ask: '150.1', ts: String(now - 5) });
    await admin.hset('quantum:market:AVAXUSDT:bybit', { price: '200', volume: '10', bid: '199.9', ask: '200.1', ts: String(now - 5) });
    await admin.hset('quantum:market:ADAUSDT:bybit', { price: '0.5', volume: '10', bid: '0.49', ask: '0.51', ts: String(now - 300) });
    await admin.hset('quantum:market:ETHUSDT:bybit', { price: '2000', ts: String(now) });
    const plans = [
      intentBridge('d000000000000001'), // 1.25 * 150 = 187.5
      intentBridge('d000000000000002', { symbol: 'AVAXUSDT' }), // 1.25 * 200 = 250 > 200
      intentBridge('d000000000000003', { symbol: 'ADAUSDT', qty: '100' }), // stale
      intentBridge('d000000000000004', { symbol: 'DOTUSDT' }), // no price hash
      applyLayer('d000000000000005', { action: 'FULL_CLOSE_PROPOSED' }),
    ];
    const results = await publishAndConsume(plans);
    expect(consumed(results)).toEqual({
      d000000000000001: 'consumed', d000000000000002: 'blocked', d000000000000003: 'blocked', d000000000000004: 'blocked', d000000000000005: 'consumed',
    });
    expect(await decisions(plans)).toEqual({
      d000000000000001: 'permitted:ok', d000000000000002: 'blocked:notional_per_trade_exceeded', d000000000000003: 'blocked:notional_unknown',
      d000000000000004: 'blocked:notional_unknown', d000000000000005: 'permitted:ok',
    });
    expect(JSON.parse(results.get('d000000000000001')!.permit!)).toMatchObject({ computed_qty: 1.25, computed_notional: 187.5 });
  });

  it('GOV_NOTIONAL_UNKNOWN=allow without a price source: opens permitted as notional_unknown_allowed', async () => {
    const g = await startGovernor({ GOV_NOTIONAL_UNKNOWN: 'allow' });
    expect(g.output()).not.toMatch(/no price source is set/);
    const plans = [intentBridge('e000000000000001'), intentBridge('e000000000000002', { symbol: 'BTCUSDT', qty: '0.002' }), applyLayer('e000000000000003')];
    const results = await publishAndConsume(plans);
    expect(consumed(results)).toEqual({ e000000000000001: 'consumed', e000000000000002: 'consumed', e000000000000003: 'consumed' });
    expect(await decisions(plans)).toEqual({
      e000000000000001: 'permitted:notional_unknown_allowed', e000000000000002: 'permitted:notional_unknown_allowed', e000000000000003: 'permitted:ok',
    });
    // nothing added to the day's total of a symbol whose notional nobody knows
    expect((await admin.get('quantum:governor:gate:SOLUSDT'))!.split('|')[1]).toBe('0');
  });
});
