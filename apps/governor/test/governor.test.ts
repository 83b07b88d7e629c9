import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { GATE_KEY_PREFIX, LEGACY_NOTIONAL_PREFIX, LEGACY_PERMITS_PREFIX } from '../src/keys';
import { PERMIT_HISTORY_FLOOR } from '../src/scripts/decide-protocol';
import type { Decision } from '../src/decision';
import { Governor } from '../src/governor';
import { GovernorMetrics } from '../src/metrics';
import type { GovernorSettings } from '../src/settings';
import type { StreamEntry } from '@quantum/redis-streams';
import { addPlans, DLQ_STREAM, fieldsToMap, PLAN_STREAM, planFields, readEvents, settings } from './helpers';

const T0 = 1_700_000_000; // 2023-11-14T22:13:20Z
const GATE_BTC = `${GATE_KEY_PREFIX}BTCUSDT`;

/** The gate state of a key (scripts/includes/gate-state.lua): day, notional, permit times in ms (newest first). */
async function gateState(redis: Redis, key = GATE_BTC): Promise<{ day: string; notional: string; times: number[] } | undefined> {
  const raw = await redis.get(key);
  if (raw === null) return undefined;
  const [day, notional, times] = raw.split('|') as [string, string, string];
  expect(times.length % 13).toBe(0);
  return { day, notional, times: Array.from({ length: times.length / 13 }, (_, k) => Number(times.slice(13 * k, 13 * k + 13))) };
}

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
    return { gov: new Governor(redis, settings(overrides), { recorder: metrics, clock: () => now }), registry, metrics };
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
    // a downsize is counted with reason low_score, as the predecessor did
    expect((await metrics.effApply.get()).values).toEqual([{ labels: { action: 'DOWNSIZE', reason: 'low_score' }, value: 1 }]);
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
    expect(await redis.exists('quantum:permit:s1', 'quantum:governor:block:s1', GATE_BTC)).toBe(0);
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

    it('the permit history per symbol is bounded (PERMIT_HISTORY_FLOOR, or the larger count limit) and still exact', async () => {
      const off = { symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0, maxNotionalPerTrade: 0, maxNotionalPerDay: 0 };
      const { gov } = governor(off);
      const many = Array.from({ length: 150 }, () => planFields()); // two chunks of the default 100
      expect((await decide(gov, many)).every((d) => d.outcome === 'permitted')).toBe(true);
      const state = (await gateState(redis))!;
      expect(state.times).toEqual(Array.from({ length: PERMIT_HISTORY_FLOOR }, () => T0 * 1000)); // permit times in epoch ms
      expect(state).toMatchObject({ day: '2023-11-14', notional: '15000' });
      // until the end of the UTC day (for the day's notional), at least the longest window
      const dayLeft = 86400 - (T0 % 86400);
      expect(await redis.ttl(GATE_BTC)).toBeGreaterThan(Math.max(3600, dayLeft));
      // a limit raised up to the floor still counts the permits granted while it was off
      now += 1;
      await blockedBy(governor({ ...off, maxExecPerHour: PERMIT_HISTORY_FLOOR }).gov, planFields(), 'hourly_limit_exceeded');
      // a count limit above the floor keeps that many, but none that no gate counts any more
      const { gov: wide } = governor({ ...off, maxExecPerHour: 40 });
      await redis.del(GATE_BTC);
      expect((await decide(wide, Array.from({ length: 60 }, () => planFields()))).map((d) => d.reason).filter((r) => r === 'ok')).toHaveLength(40);
      expect((await gateState(redis))!.times).toHaveLength(40);
      now += 3600;
      expect((await decide(wide, [planFields()]))[0]!.outcome).toBe('permitted');
      expect((await gateState(redis))!.times).toEqual([now * 1000]);
    });

    it('the gate state of builds before it (sorted set, day notional key) is read once and then kept', async () => {
      const limits = { symbolCooldownSec: 0, maxExecPerHour: 3, maxExecPer5Min: 0, maxNotionalPerTrade: 0, maxNotionalPerDay: 500 };
      const { gov } = governor(limits);
      // two permits in the last hour and one older, 350 of the day's notional, as an older build left them
      await redis.zadd(`${LEGACY_PERMITS_PREFIX}BTCUSDT`, (T0 - 7200) * 1000, 'old', (T0 - 100) * 1000, 'x1', (T0 - 50) * 1000, 'x2');
      await redis.set(`${LEGACY_NOTIONAL_PREFIX}BTCUSDT:2023-11-14`, '350');
      await blockedBy(gov, planFields({ qty: '2', price: '100' }), 'daily_limit_exceeded'); // 350 + 200 > 500
      expect((await decide(gov, [planFields({ qty: '1', price: '100' })]))[0]!.outcome).toBe('permitted'); // 450
      expect(await gateState(redis)).toEqual({ day: '2023-11-14', notional: '450', times: [T0 * 1000, (T0 - 50) * 1000, (T0 - 100) * 1000] });
      await blockedBy(gov, planFields({ qty: '0.1', price: '10' }), 'hourly_limit_exceeded');
      // from now on only the new state counts
      await redis.set(`${LEGACY_NOTIONAL_PREFIX}BTCUSDT:2023-11-14`, '0');
      await blockedBy(gov, planFields({ qty: '0.1', price: '10' }), 'hourly_limit_exceeded');
    });

    it('a new UTC day starts the notional from 0; a state of a later day keeps its own', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0, maxNotionalPerTrade: 0, maxNotionalPerDay: 500 });
      expect((await decide(gov, [planFields({ qty: '4', price: '100' })]))[0]!.outcome).toBe('permitted');
      const midnight = Math.ceil(T0 / 86400) * 86400;
      now = midnight + 1;
      expect((await decide(gov, [planFields({ qty: '4', price: '100' })]))[0]!.outcome).toBe('permitted');
      expect(await gateState(redis)).toMatchObject({ day: '2023-11-15', notional: '400' });
      // a replica that read its clock just before midnight decides after: counted toward the later day
      now = midnight - 0.5;
      await blockedBy(gov, planFields({ qty: '2', price: '100' }), 'daily_limit_exceeded');
      expect((await decide(gov, [planFields({ qty: '1', price: '100' })]))[0]!.outcome).toBe('permitted');
      expect(await gateState(redis)).toMatchObject({ day: '2023-11-15', notional: '500' });
    });

    it('permit times from a replica that read its clock earlier but decided later still count exactly', async () => {
      const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 3, maxExecPer5Min: 0 });
      for (const t of [T0 + 10, T0 + 5.5, T0 + 12.25]) {
        now = t;
        expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
      }
      // stored newest first, whatever the order of the decisions
      expect((await gateState(redis))!.times).toEqual([T0 + 12.25, T0 + 10, T0 + 5.5].map((t) => t * 1000));
      // the 3rd newest (T0 + 5.5) leaves the hour exactly 3600 s later
      now = T0 + 5.5 + 3600 - 0.001;
      await blockedBy(gov, planFields(), 'hourly_limit_exceeded');
      now = T0 + 5.5 + 3600;
      expect((await decide(gov, [planFields()]))[0]!.outcome).toBe('permitted');
      // two permits of one chunk whose clock read is older than the newest stored permit
      const { gov: open } = governor({ symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0 });
      now = T0 + 3605;
      expect((await decide(open, [planFields(), planFields()])).map((d) => d.outcome)).toEqual(['permitted', 'permitted']);
      expect((await gateState(redis))!.times).toEqual([T0 + 5.5 + 3600, T0 + 3605, T0 + 3605, T0 + 12.25, T0 + 10, T0 + 5.5].map((t) => t * 1000));
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
    expect((await gateState(redis))!.times).toHaveLength(1); // only what the gates admitted
  });

  it('an existing permit for the plan_id is never overwritten', async () => {
    const { gov } = governor();
    await redis.set('quantum:permit:pre', 'x', 'EX', 60);
    const [d] = await decide(gov, [planFields({ plan_id: 'pre' })]);
    expect(d).toMatchObject({ outcome: 'duplicate', reason: 'permit_exists' });
    expect(await redis.get('quantum:permit:pre')).toBe('x');
    expect(await redis.exists(GATE_BTC)).toBe(0); // not counted as a permit
    // the duplicate claims the plan_id: a replay of it, or a later entry with it, writes no second permit
    expect(await redis.get('quantum:governor:decision:pre')).toBe(`${d!.entryId}|duplicate|permit_exists`);
    const again = await gov.decide([{ id: d!.entryId, fields: planFields({ plan_id: 'pre' }), deliveryCount: 2 }]);
    expect(again[0]).toMatchObject({ outcome: 'replayed' });
    const [later] = await decide(gov, [planFields({ plan_id: 'pre' })]);
    expect(later).toMatchObject({ outcome: 'duplicate', reason: 'already_decided' });
    expect((await readEvents(redis)).map((e) => e['reason'])).toEqual(['permit_exists', 'already_decided']);
    expect(await redis.get('quantum:permit:pre')).toBe('x');
  });

  it('the audit stream stays within EVENTS_STREAM_MAXLEN (MAXLEN ~: whole stream nodes of 100 entries)', async () => {
    const { gov } = governor({ eventsMaxLen: 10 });
    await decide(gov, Array.from({ length: 300 }, (_, k) => planFields({ plan_id: `m${k}` })));
    const length = await redis.xlen('quantum:stream:governor.events');
    expect(length).toBeGreaterThanOrEqual(10);
    expect(length).toBeLessThanOrEqual(10 + 100);
    const [newest] = (await redis.xrevrange('quantum:stream:governor.events', '+', '-', 'COUNT', 1)) as [string, string[]][];
    expect(fieldsToMap(newest![1])['plan_id']).toBe('m299');
  });

  it('an entry an older build decided as permit_exists (entry record only) is a replay, not a second event', async () => {
    const { gov } = governor();
    const [entry] = await addPlans(redis, [planFields({ plan_id: 'old' })]);
    await redis.set('quantum:permit:old', 'x', 'EX', 60);
    await redis.set(`quantum:governor:entry:${entry!.id}`, 'duplicate|permit_exists', 'EX', 60);
    const [d] = await gov.decide([{ ...entry!, deliveryCount: 2 }]);
    expect(d).toMatchObject({ outcome: 'replayed' });
    expect(await readEvents(redis)).toHaveLength(0);
    expect(await redis.get('quantum:permit:old')).toBe('x');
    expect(await redis.exists(GATE_BTC)).toBe(0);
  });

  it('an efficiency key of the wrong type is bad data: a neutral invalid_eff hint, as in allocation-target', async () => {
    const { gov, metrics } = governor();
    await redis.set('quantum:capital:efficiency:BTCUSDT', 'not a hash');
    const [d] = await decide(gov, [planFields({ plan_id: 'e1' })]);
    expect(d!.outcome).toBe('permitted');
    expect(JSON.parse((await redis.get('quantum:permit:e1'))!)).toMatchObject({ eff_reason: 'invalid_eff', eff_action: 'NONE', eff_factor: '1.0000', eff_score: '', eff_confidence: '' });
    expect((await metrics.effApply.get()).values).toEqual([{ labels: { action: 'NONE', reason: 'invalid_eff' }, value: 1 }]);
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
    expect(await gateState(redis)).toEqual({ day: '2023-11-14', notional: '25', times: [T0 * 1000] }); // the granted notional counts
  });
});

describe('Governor chunks: one script per chunk, decide + XACK in one step (real Redis)', () => {
  const GROUP = 'governor';
  let server: ThrowawayRedis;
  let redis: Redis;
  const now = T0;

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
    await redis.xgroup('CREATE', PLAN_STREAM, GROUP, '0', 'MKSTREAM');
  });

  function governor(overrides: Partial<GovernorSettings> = {}, chunkSize?: number, readRedis?: Redis) {
    const metrics = new GovernorMetrics(new Registry());
    return { gov: new Governor(redis, settings(overrides), { recorder: metrics, clock: () => now, chunkSize, readRedis }), metrics };
  }

  /** XADDs the plans and reads them into the group (delivered, pending), as the consumer would. */
  async function deliver(plans: string[][]): Promise<StreamEntry[]> {
    await addPlans(redis, plans);
    const reply = (await redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 1000, 'STREAMS', PLAN_STREAM, '>')) as [string, [string, string[]][]][];
    return reply[0]![1].map(([id, fields]) => ({ id, fields, deliveryCount: 1 }));
  }

  async function pending(): Promise<number> {
    return Number(((await redis.xpending(PLAN_STREAM, GROUP)) as [number])[0]);
  }

  const ACK = { stream: PLAN_STREAM, group: GROUP };

  it('decides a chunk and acknowledges it in the same step; a replay is acknowledged and writes nothing', async () => {
    const { gov } = governor({ symbolCooldownSec: 0, maxExecPerHour: 0, maxExecPer5Min: 0 }, 2);
    const entries = await deliver([planFields({ plan_id: 'c1' }), planFields({ plan_id: 'c2', decision: 'SKIP' }), planFields({ plan_id: '' }), planFields({ plan_id: 'c4' }), planFields({ plan_id: 'c5' })]);
    expect(await pending()).toBe(5);
    const out = (await gov.decide(entries, undefined, ACK)) as Decision[];
    expect(out.map((d) => [d.outcome, d.acknowledged])).toEqual([
      ['permitted', true], ['skipped', true], ['dead_letter', true], ['permitted', true], ['permitted', true],
    ]);
    expect(await pending()).toBe(0);
    // the same entries delivered again (e.g. reclaimed by a replica that was slow): replayed, nothing new
    const again = (await gov.decide(entries, undefined, ACK)) as Decision[];
    expect(again.map((d) => d.outcome)).toEqual(['replayed', 'replayed', 'replayed', 'replayed', 'replayed']);
    expect(await readEvents(redis)).toHaveLength(5);
    expect(await redis.xlen(DLQ_STREAM)).toBe(1);
  });

  it('duplicates inside one chunk: the first entry decides the plan_id, the others are duplicates', async () => {
    const { gov, metrics } = governor({ symbolCooldownSec: 0 });
    const entries = await deliver([
      planFields({ plan_id: 'd1' }), planFields({ plan_id: 'd1' }), planFields({ plan_id: 'd2', decision: 'SKIP' }),
      planFields({ plan_id: 'd2' }), planFields({ plan_id: 'd1', qty: 'x' }), planFields({ plan_id: 'd3' }),
    ]);
    const out = (await gov.decide(entries, undefined, ACK)) as Decision[];
    expect(out.map((d) => [d.planId, d.outcome, d.reason])).toEqual([
      ['d1', 'permitted', 'ok'], ['d1', 'duplicate', 'already_decided'], ['d2', 'skipped', 'decision_skip'],
      ['d2', 'duplicate', 'already_decided'], ['d1', 'dead_letter', 'invalid_qty'], ['d3', 'permitted', 'ok'],
    ]);
    expect(await redis.exists('quantum:permit:d2')).toBe(0);
    expect(await pending()).toBe(0);
    expect((await readEvents(redis)).map((e) => e['outcome'])).toEqual(['permitted', 'duplicate', 'skipped', 'duplicate', 'dead_letter', 'permitted']);
    const counts = Object.fromEntries((await metrics.messages.get()).values.map((v) => [v.labels.outcome, v.value]));
    expect(counts).toEqual({ permitted: 2, blocked: 0, duplicate: 2, skipped: 1, dead_letter: 1 });
    expect((await metrics.deadLetters.get()).values[0]!.value).toBe(1);
    // redelivery of the whole chunk: nothing is counted again
    await gov.decide(entries, undefined, ACK);
    expect((await metrics.messages.get()).values.reduce((s, v) => s + v.value, 0)).toBe(6);
  });

  it('one plan with a WRONGTYPE efficiency key in a chunk: invalid_eff hint for it, the chunk is decided', async () => {
    const { gov } = governor({ symbolCooldownSec: 0 });
    await redis.set('quantum:capital:efficiency:BADUSDT', 'not a hash');
    await redis.hset('quantum:capital:efficiency:BTCUSDT', { efficiency_score: '0.2', confidence: '0.9', ts: String(T0) });
    await redis.hset('quantum:capital:efficiency:ETHUSDT', { note: 'no reading fields' });
    await redis.hset('quantum:capital:efficiency:SOLUSDT', { efficiency_score: '0.2', confidence: '0.9' });
    const entries = await deliver([
      planFields({ plan_id: 'w1' }), planFields({ plan_id: 'w2', symbol: 'BADUSDT' }), planFields({ plan_id: 'w3', symbol: 'ETHUSDT' }),
      planFields({ plan_id: 'w4', symbol: 'SOLUSDT' }), planFields({ plan_id: 'w5', symbol: 'XRPUSDT' }),
    ]);
    const out = (await gov.decide(entries, undefined, ACK)) as Decision[];
    expect(out.map((d) => d.outcome)).toEqual(['permitted', 'permitted', 'permitted', 'permitted', 'permitted']);
    const reasons = await Promise.all(['w1', 'w2', 'w3', 'w4', 'w5'].map(async (id) => JSON.parse((await redis.get(`quantum:permit:${id}`))!).eff_reason));
    // partial hashes read as invalid_eff and an absent one as missing_eff, exactly like HGETALL did
    expect(reasons).toEqual(['ok', 'invalid_eff', 'invalid_eff', 'invalid_eff', 'missing_eff']);
    expect(await pending()).toBe(0);
  });

  it('an efficiency value holding the read script\'s separator is read exactly (the batch is read again, flat)', async () => {
    const { gov } = governor({ symbolCooldownSec: 0 });
    await redis.hset('quantum:capital:efficiency:BTCUSDT', { efficiency_score: '0.2', confidence: '0.9', ts: String(T0) });
    await redis.hset('quantum:capital:efficiency:ETHUSDT', { efficiency_score: '0.2\x1f', confidence: '0.9\x1f0.9', ts: String(T0) });
    await redis.hset('quantum:capital:efficiency:SOLUSDT', { efficiency_score: '0.05', confidence: '0.9', ts: String(T0) });
    const entries = await deliver([planFields({ plan_id: 'x1' }), planFields({ plan_id: 'x2', symbol: 'ETHUSDT' }), planFields({ plan_id: 'x3', symbol: 'SOLUSDT' })]);
    const out = (await gov.decide(entries, undefined, ACK)) as Decision[];
    expect(out.map((d) => d.outcome)).toEqual(['permitted', 'permitted', 'permitted']);
    const permits = await Promise.all(['x1', 'x2', 'x3'].map(async (id) => JSON.parse((await redis.get(`quantum:permit:${id}`))!)));
    expect(permits.map((p) => [p.eff_reason, p.eff_score, p.eff_factor])).toEqual([['ok', '0.2000', '0.4444'], ['invalid_eff', '', '1.0000'], ['ok', '0.0500', '0.2500']]);
  });

  it.each([
    ['a decision record of another type', 'quantum:governor:decision:g2', 'hash', /WRONGTYPE/],
    ['a gate state of another type', `${GATE_KEY_PREFIX}BADUSDT`, 'hash', /WRONGTYPE/],
    ['a gate state that is not one', `${GATE_KEY_PREFIX}BADUSDT`, '2023-11-14|abc|', /malformed/],
    ['a gate state with a broken permit time list', `${GATE_KEY_PREFIX}BADUSDT`, '2023-11-14|0|12345', /malformed/],
    ['an older build\'s permit history of another type', `${LEGACY_PERMITS_PREFIX}BADUSDT`, 'not a zset', /WRONGTYPE/],
    ['an older build\'s day notional that is not a number', `${LEGACY_NOTIONAL_PREFIX}BADUSDT:2023-11-14`, 'abc', /not a number/],
  ])('%s fails that entry only: it stays pending, its neighbours are decided and acknowledged', async (_, badKey, value, message) => {
    const { gov } = governor({ maxExecPerHour: 0, maxExecPer5Min: 0 });
    if (value === 'hash') await redis.hset(badKey, 'x', '1');
    else await redis.set(badKey, value);
    const entries = await deliver([planFields({ plan_id: 'g1' }), planFields({ plan_id: 'g2', symbol: 'BADUSDT' }), planFields({ plan_id: 'g3', symbol: 'ETHUSDT' })]);
    const out = await gov.decide(entries, undefined, ACK);
    expect((out[0] as Decision).outcome).toBe('permitted');
    expect(out[1]).toBeInstanceOf(Error);
    expect((out[1] as Error).message).toMatch(message);
    expect(await redis.exists('quantum:permit:g2')).toBe(0); // failed before anything was written
    expect((out[2] as Decision).outcome).toBe('permitted');
    const left = (await redis.xpending(PLAN_STREAM, GROUP, '-', '+', 10)) as [string][];
    expect(left.map((p) => p[0])).toEqual([entries[1]!.id]);
    expect((await readEvents(redis)).map((e) => e['plan_id'])).toEqual(['g1', 'g3']);
    // repaired: the entry is decided when delivered again
    await redis.del(badKey);
    const retry = (await gov.decide([{ ...entries[1]!, deliveryCount: 2 }], undefined, ACK)) as Decision[];
    expect(retry[0]!.outcome).toBe('permitted');
    expect(await pending()).toBe(0);
  });

  it.each([['one connection', false], ['the read script on a connection of its own', true]])(
    'batches handed over before the previous one was decided are still decided in stream order (%s)',
    async (_, ownRead) => {
      const read = ownRead ? redis.duplicate() : undefined;
      try {
        const { gov } = governor({ maxExecPerHour: 0, maxExecPer5Min: 0 }, 1, read);
        const entries = await deliver(['o1', 'o2', 'o3', 'o4', 'o5', 'o6'].map((plan_id) => planFields({ plan_id })));
        // three batches in flight at once, as the consumer hands them over with maxBatchesInFlight
        const all = await Promise.all([0, 2, 4].map((at) => gov.decide(entries.slice(at, at + 2), undefined, ACK)));
        expect(all.flat().map((d) => (d as Decision).reason)).toEqual(['ok', 'symbol_cooldown', 'symbol_cooldown', 'symbol_cooldown', 'symbol_cooldown', 'symbol_cooldown']);
        expect((await readEvents(redis)).map((e) => e['plan_id'])).toEqual(['o1', 'o2', 'o3', 'o4', 'o5', 'o6']);
      } finally {
        read?.disconnect();
      }
    },
  );

  it('batches in flight when Redis lost its scripts run again in stream order', async () => {
    const { gov } = governor({ maxExecPerHour: 0, maxExecPer5Min: 0 }, 1);
    expect(((await gov.decide(await deliver([planFields({ plan_id: 'n0', symbol: 'ETHUSDT' })]), undefined, ACK)) as Decision[])[0]!.outcome).toBe('permitted');
    await redis.script('FLUSH');
    const entries = await deliver([planFields({ plan_id: 'n1' }), planFields({ plan_id: 'n2' }), planFields({ plan_id: 'n3' }), planFields({ plan_id: 'n4' })]);
    const [a, b] = await Promise.all([gov.decide(entries.slice(0, 2), undefined, ACK), gov.decide(entries.slice(2), undefined, ACK)]);
    expect([...a, ...b].map((d) => (d as Decision).reason)).toEqual(['ok', 'symbol_cooldown', 'symbol_cooldown', 'symbol_cooldown']);
    expect((await readEvents(redis)).map((e) => e['plan_id'])).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(await pending()).toBe(0);
  });

  it('loads its scripts again after Redis lost them (SCRIPT FLUSH)', async () => {
    const { gov } = governor({ symbolCooldownSec: 0 });
    expect(((await gov.decide(await deliver([planFields({ plan_id: 'f1' })]), undefined, ACK)) as Decision[])[0]!.outcome).toBe('permitted');
    await redis.script('FLUSH');
    expect(((await gov.decide(await deliver([planFields({ plan_id: 'f2' })]), undefined, ACK)) as Decision[])[0]!.outcome).toBe('permitted');
    expect(await pending()).toBe(0);
  });
});
