import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { Governor, type Decision } from '../src/governor';
import { GovernorMetrics } from '../src/metrics';
import type { GovernorSettings } from '../src/settings';
import { addPlans, DLQ_STREAM, fieldsToMap, planFields, readEvents, settings } from './helpers';

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z

describe('Governor decisions (real Redis)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  let now = T0;

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
    now = T0;
  });

  function governor(overrides: Partial<GovernorSettings> = {}, registry = new Registry()) {
    const metrics = new GovernorMetrics(registry);
    return { gov: new Governor(redis, settings(overrides), metrics, () => now), registry, metrics };
  }

  async function decide(gov: Governor, plans: string[][]): Promise<Decision[]> {
    const entries = await addPlans(redis, plans);
    const out = await gov.decide(entries);
    return out.map((d) => {
      if (d instanceof Error) throw d;
      return d;
    });
  }

  it('permits a plan: permit JSON in contract order, decision record, audit event, metrics once', async () => {
    const { gov, metrics } = governor();
    await redis.hset('quantum:capital:efficiency:BTCUSDT', { efficiency_score: '0.2', confidence: '0.9', ts: String(T0 - 10) });
    const [d] = await decide(gov, [planFields({ plan_id: 'a1', qty: '1.5', price: '100' })]);
    expect(d).toMatchObject({ outcome: 'permitted', reason: 'ok', planId: 'a1', symbol: 'BTCUSDT' });
    const raw = await redis.get('quantum:permit:a1');
    expect(raw).toBe(
      `{"granted":true,"symbol":"BTCUSDT","decision":"EXECUTE","computed_qty":1.5,"computed_notional":150,"created_at":${T0},"consumed":false,` +
        `"eff_score":"0.2000","eff_confidence":"0.900","eff_stale":"0","eff_factor":"0.4444","eff_action":"DOWNSIZE","eff_reason":"ok",` +
        `"downsize_factor":"0.4444","extra_cooldown_sec":"96","plan_id":"a1"}`,
    );
    const ttl = await redis.ttl('quantum:permit:a1');
    expect(ttl).toBeGreaterThan(55);
    expect(ttl).toBeLessThanOrEqual(60);
    expect(await redis.get('quantum:governor:decision:a1')).toBe(`${d!.entryId}|permitted|ok`);
    const events = await readEvents(redis);
    expect(events).toEqual([{ plan_id: 'a1', symbol: 'BTCUSDT', outcome: 'permitted', reason: 'ok', time: String(T0), entry_id: d!.entryId, mode: 'enforce' }]);
    expect((await metrics.effApply.get()).values).toEqual([{ labels: { action: 'DOWNSIZE', reason: 'ok' }, value: 1 }]);
    expect((await metrics.allow.get()).values).toEqual([{ labels: { symbol: 'BTCUSDT' }, value: 1 }]);
    expect((await metrics.effFactor.get()).values[0]!.value).toBeCloseTo(0.4444, 4);
  });

  it('replaying the same entry writes nothing new and counts nothing again', async () => {
    const { gov, metrics } = governor();
    const entries = await addPlans(redis, [planFields({ plan_id: 'r1' }), planFields({ plan_id: 'r2', decision: 'SKIP' }), planFields({ plan_id: '' })]);
    const first = await gov.decide(entries);
    const again = await gov.decide(entries.map((e) => ({ ...e, deliveryCount: 2 })));
    expect(first.map((d) => (d as Decision).outcome)).toEqual(['permitted', 'skipped', 'dead_letter']);
    expect(again.map((d) => (d as Decision).outcome)).toEqual(['replayed', 'replayed', 'replayed']);
    expect(await readEvents(redis)).toHaveLength(3);
    expect(await redis.xlen(DLQ_STREAM)).toBe(1);
    expect((await metrics.effApply.get()).values.reduce((s, v) => s + v.value, 0)).toBe(1);
  });

  it('a second entry with the same plan_id is a duplicate (one event, no second permit)', async () => {
    const { gov } = governor({ symbolCooldownSec: 0 });
    const [a, b] = await decide(gov, [planFields({ plan_id: 'dup' }), planFields({ plan_id: 'dup' })]);
    expect(a!.outcome).toBe('permitted');
    expect(b).toMatchObject({ outcome: 'duplicate', reason: 'already_decided' });
    const events = await readEvents(redis);
    expect(events.map((e) => e['outcome'])).toEqual(['permitted', 'duplicate']);
    // the duplicate itself is idempotent under redelivery
    const again = await gov.decide([{ id: b!.entryId, fields: planFields({ plan_id: 'dup' }), deliveryCount: 2 }]);
    expect((again[0] as Decision).outcome).toBe('replayed');
    expect(await readEvents(redis)).toHaveLength(2);
  });

  it('skips non-EXECUTE plans without touching gate state', async () => {
    const { gov } = governor();
    const [d] = await decide(gov, [planFields({ plan_id: 's1', decision: 'SKIP', qty: '', kill_score: '' })]);
    expect(d).toMatchObject({ outcome: 'skipped', reason: 'decision_skip' });
    expect(await redis.exists('quantum:permit:s1', 'quantum:governor:block:s1', 'quantum:governor:permits:BTCUSDT')).toBe(0);
  });

  it.each([
    [{ plan_id: undefined }, 'missing_plan_id'],
    [{ plan_id: 'has space' }, 'invalid_plan_id'],
    [{ symbol: 'BTC:USDT' }, 'invalid_symbol'],
    [{ decision: undefined }, 'missing_decision'],
    [{ qty: 'abc' }, 'invalid_qty'],
    [{ price: '1e999' }, 'invalid_price'],
    [{ kill_score: '0.5 ' }, 'invalid_kill_score'],
    [{ side: 'x'.repeat(300) }, 'field_too_large:side'],
  ])('dead-letters malformed plan %j (%s)', async (overrides, reason) => {
    const { gov } = governor();
    const fields = planFields(overrides);
    const [d] = await decide(gov, [fields]);
    expect(d).toMatchObject({ outcome: 'dead_letter', reason });
    const dlq = (await redis.xrange(DLQ_STREAM, '-', '+')) as [string, string[]][];
    expect(dlq).toHaveLength(1);
    const copy = fieldsToMap(dlq[0]![1]);
    expect(copy).toMatchObject({ ...fieldsToMap(fields), dlq_error: reason, dlq_entry_id: d!.entryId, dlq_time: String(T0) });
    expect((await readEvents(redis))[0]).toMatchObject({ outcome: 'dead_letter', reason });
  });

  describe('gates', () => {
    async function blockedBy(gov: Governor, plan: string[], reason: string) {
      const [d] = await decide(gov, [plan]);
      expect(d).toMatchObject({ outcome: 'blocked', reason });
      const record = JSON.parse((await redis.get(`quantum:governor:block:${d!.planId}`))!);
      expect(record).toEqual({ reason, timestamp: now, symbol: d!.symbol });
      expect(Object.keys(record)).toEqual(['reason', 'timestamp', 'symbol']);
      const ttl = await redis.ttl(`quantum:governor:block:${d!.planId}`);
      expect(ttl).toBeGreaterThan(3590);
      expect(await redis.exists(`quantum:permit:${d!.planId}`)).toBe(0);
      expect(await redis.get(`quantum:governor:decision:${d!.planId}`)).toBe(`${d!.entryId}|blocked|${reason}`);
      return d!;
    }

    it('1: kill switch blocks everything, close actions included', async () => {
      const { gov, metrics } = governor();
      await redis.set('quantum:kill', '1');
      await blockedBy(gov, planFields(), 'kill_switch_active');
      await blockedBy(gov, planFields({ action: 'FULL_CLOSE_PROPOSED' }), 'kill_switch_active');
      expect((await metrics.block.get()).values).toEqual([{ labels: { symbol: 'BTCUSDT', reason: 'kill_switch_active' }, value: 2 }]);
      await redis.set('quantum:kill', '0');
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
    });

    it('3: kill_score at or above the critical level blocks non-close actions only', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPer5Min: 0, maxExecPerHour: 0 });
      await blockedBy(gov, planFields({ kill_score: '0.8' }), 'kill_score_critical_non_close');
      expect((await decide(gov, [planFields({ kill_score: '0.79' })]))[0]!.outcome).toBe('permitted');
      for (const action of ['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25']) {
        expect((await decide(gov, [planFields({ kill_score: '0.99', action, price: '', qty: '100000' })]))[0]!.outcome).toBe('permitted');
      }
    });

    it('4: symbol cooldown (per symbol; exactly the cooldown later passes)', async () => {
      const { gov } = governor({ maxExecPer5Min: 0, maxExecPerHour: 0 });
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
      now += 59.9;
      await blockedBy(gov, planFields(), 'symbol_cooldown');
      expect((await decide(gov, [planFields({ symbol: 'ETHUSDT' })]))[0]!.outcome).toBe('permitted');
      now = T0 + 60;
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
    });

    it('5: hourly and 5-minute limits', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 3, maxExecPer5Min: 2 });
      const outcomes = (await decide(gov, [planFields(), planFields(), planFields()])).map((d) => d.reason);
      expect(outcomes).toEqual(['ok', 'ok', 'burst_limit_exceeded']);
      now += 301;
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
      await blockedBy(gov, planFields(), 'hourly_limit_exceeded');
      now = T0 + 3600.5;
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
    });

    it('6: notional per trade, per UTC day, and unknown price', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0, maxNotionalPerTrade: 200, maxNotionalPerDay: 500 });
      await blockedBy(gov, planFields({ qty: '2', price: '100.01' }), 'notional_per_trade_exceeded');
      expect((await decide(gov, [planFields({ qty: '2', price: '100' })]))[0]!.outcome).toBe('permitted');
      expect((await decide(gov, [planFields({ qty: '2', price: '100' })]))[0]!.outcome).toBe('permitted');
      await blockedBy(gov, planFields({ qty: '1', price: '100.5' }), 'daily_limit_exceeded');
      expect((await decide(gov, [planFields({ qty: '1', price: '100' })]))[0]!.outcome).toBe('permitted'); // exactly 500
      await blockedBy(gov, planFields({ price: '' }), 'notional_unknown');
      now = Math.ceil(T0 / 86400) * 86400; // next UTC day
      expect((await decide(gov, [planFields({ qty: '2', price: '100' })]))[0]!.outcome).toBe('permitted');
    });

    it('0 turns limits off; an unknown price is then fine (computed_notional null)', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0, maxNotionalPerTrade: 0, maxNotionalPerDay: 0 });
      const ds = await decide(gov, [planFields({ price: '' }), planFields({ qty: '1000', price: '1000' }), planFields()]);
      expect(ds.map((d) => d.outcome)).toEqual(['permitted', 'permitted', 'permitted']);
      expect(JSON.parse((await redis.get(`quantum:permit:${ds[0]!.planId}`))!).computed_notional).toBeNull();
    });

    it('gates run in contract order (kill switch before kill score before cooldown ...)', async () => {
      const { gov } = governor({ maxNotionalPerTrade: 1 });
      expect((await decide(gov, [planFields({ qty: '1', price: '0.5' })]))[0]!.outcome).toBe('permitted');
      await blockedBy(gov, planFields({ kill_score: '0.9', price: '' }), 'kill_score_critical_non_close');
      await blockedBy(gov, planFields({ price: '' }), 'symbol_cooldown');
      await redis.set('quantum:kill', '1');
      await blockedBy(gov, planFields({ kill_score: '0.9' }), 'kill_switch_active');
    });
  });

  it('dry_run permits every valid EXECUTE plan and records what the gates said', async () => {
    const { gov, metrics } = governor({ mode: 'dry_run' });
    await redis.set('quantum:kill', '1');
    const [d1] = await decide(gov, [planFields({ plan_id: 'dry1' })]);
    await redis.del('quantum:kill');
    const [d2, d3] = await decide(gov, [planFields({ plan_id: 'dry2' }), planFields({ plan_id: 'dry3' })]);
    expect([d1, d2, d3].map((d) => [d!.outcome, d!.reason])).toEqual([
      ['permitted', 'kill_switch_active'],
      ['permitted', 'ok'],
      ['permitted', 'symbol_cooldown'],
    ]);
    for (const id of ['dry1', 'dry2', 'dry3']) expect(await redis.exists(`quantum:permit:${id}`)).toBe(1);
    const events = await readEvents(redis);
    expect(events.map((e) => [e['outcome'], e['reason'], e['mode']])).toEqual([
      ['permitted', 'kill_switch_active', 'dry_run'],
      ['permitted', 'ok', 'dry_run'],
      ['permitted', 'symbol_cooldown', 'dry_run'],
    ]);
    expect((await metrics.effApply.get()).values).toEqual([{ labels: { action: 'NONE', reason: 'missing_eff' }, value: 3 }]);
    expect(await redis.zcard('quantum:governor:permits:BTCUSDT')).toBe(1); // only what the gates admitted
  });

  it('an existing permit for the plan_id is never overwritten', async () => {
    const { gov } = governor();
    await redis.set('quantum:permit:pre', 'x', 'EX', 60);
    const [d] = await decide(gov, [planFields({ plan_id: 'pre' })]);
    expect(d).toMatchObject({ outcome: 'duplicate', reason: 'permit_exists' });
    expect(await redis.get('quantum:permit:pre')).toBe('x');
  });

  it('a Redis error reading the efficiency hash gives a neutral redis_error hint', async () => {
    const { gov, metrics } = governor();
    await redis.set('quantum:capital:efficiency:BTCUSDT', 'not a hash');
    const [d] = await decide(gov, [planFields({ plan_id: 'e1' })]);
    expect(d!.outcome).toBe('permitted');
    expect(JSON.parse((await redis.get('quantum:permit:e1'))!)).toMatchObject({ eff_reason: 'redis_error', eff_action: 'NONE', eff_factor: '1.0000', eff_score: '', eff_confidence: '' });
    expect((await metrics.effApply.get()).values).toEqual([{ labels: { action: 'NONE', reason: 'redis_error' }, value: 1 }]);
  });

  it('P31_ENFORCE_DOWNSIZE scales qty and notional and keeps requested_qty', async () => {
    const base = settings();
    const { gov } = governor({ permit: { ...base.permit, enforceDownsize: true } });
    await redis.hset('quantum:capital:efficiency:BTCUSDT', { efficiency_score: '0.05', confidence: '0.9', ts: String(T0) });
    const [d] = await decide(gov, [planFields({ plan_id: 'ds', qty: '2', price: '50' })]);
    const permit = JSON.parse((await redis.get('quantum:permit:ds'))!);
    expect(d!.outcome).toBe('permitted');
    expect(permit).toMatchObject({ computed_qty: 0.5, computed_notional: 25, requested_qty: 2, downsize_factor: '0.2500', extra_cooldown_sec: '114' });
    expect(Object.keys(permit).slice(-2)).toEqual(['plan_id', 'requested_qty']);
    expect(await redis.get('quantum:governor:notional:BTCUSDT:2023-11-14')).toBe('25');
  });
});
