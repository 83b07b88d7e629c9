import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { writeGatePermits } from '@quantum/simulator/gate-permits';
import { consumePermits } from '@quantum/simulator/permit-consumer';
import type { PlanRecord } from '@quantum/simulator/plan-record';
import { runSimulation } from '@quantum/simulator/run';
import { Simulator } from '@quantum/simulator/simulator';
import { writeTick } from '@quantum/simulator/writer';

const STREAM = 'quantum:stream:apply.plan';
const APPLY_LAYER_FIELDS = [
  'plan_id', 'symbol', 'action', 'kill_score', 'k_regime_flip', 'k_sigma_spike', 'k_ts_drop', 'k_age_penalty',
  'new_sl_proposed', 'R_net', 'decision', 'reason_codes', 'steps', 'close_qty', 'price', 'timestamp',
];
const INTENT_BRIDGE_FIELDS = ['plan_id', 'decision', 'symbol', 'side', 'type', 'qty', 'reduceOnly', 'source', 'signature', 'timestamp'];

const permitKeysOf = (id: string) => [`quantum:permit:${id}`, `quantum:permit:p33:${id}`, `quantum:permit:p26:${id}`];
const execute = (planId: string): PlanRecord => ({ producer: 'apply_layer', planId, symbol: 'BTCUSDT', decision: 'EXECUTE', fields: {} });

function fieldsOf(flat: string[]): Record<string, string> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]] = flat[i + 1];
  return f;
}

describe('ctl simulate against a real Redis', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushdb();
  });

  it('writes targets (EX 300), efficiency (EX 600) and the market feed (EX 120) exactly as generated', async () => {
    const tick = new Simulator({ seed: 5, symbols: 20 }).tick(1_700_000_000);
    await writeTick(redis, tick);
    const t = tick.targets[0];
    expect(await redis.hgetall(`quantum:allocation:target:${t.symbol}`)).toEqual(t.fields);
    expect(await redis.ttl(`quantum:allocation:target:${t.symbol}`)).toBeGreaterThan(290);
    const e = tick.efficiency[0];
    expect(await redis.hgetall(`quantum:capital:efficiency:${e.symbol}`)).toEqual(e.fields);
    expect(await redis.ttl(`quantum:capital:efficiency:${e.symbol}`)).toBeGreaterThan(590);
    expect(tick.market).toHaveLength(20);
    for (const m of tick.market) {
      expect(await redis.hgetall(`quantum:market:${m.symbol}:bybit`)).toEqual(m.fields);
      const ttl = await redis.ttl(`quantum:market:${m.symbol}:bybit`);
      expect(ttl).toBeGreaterThan(110);
      expect(ttl).toBeLessThanOrEqual(120);
    }
  });

  it('writes the market feed under another key pattern when asked', async () => {
    const tick = new Simulator({ seed: 5, symbols: 3 }).tick(1_700_000_000);
    await writeTick(redis, tick, 'feed:{SYMBOL}:okx');
    expect((await redis.keys('feed:*')).sort()).toEqual(tick.market.map((m) => `feed:${m.symbol}:okx`).sort());
    expect(await redis.keys('quantum:market:*')).toEqual([]);
  });

  describe('permit consumption (the apply layer)', () => {
    it('consumes the three permits once a governor permit appears within 1.2 s, leaving none of them', async () => {
      const id = 'aaaaaaaaaaaaaaaa';
      await writeGatePermits(redis, [execute(id)], 1_700_000_000);
      expect(await redis.exists(...permitKeysOf(id).slice(1))).toBe(2);
      expect(await redis.ttl(`quantum:permit:p33:${id}`)).toBeGreaterThan(50);
      const permit = JSON.stringify({ granted: true, plan_id: id });
      setTimeout(() => void redis.set(`quantum:permit:${id}`, permit, 'EX', 60), 250);
      const result = await consumePermits(redis, id);
      expect(result.outcome).toBe('consumed');
      expect(result.permit).toBe(permit);
      expect(result.latencyMs).toBeGreaterThanOrEqual(200); // it waited for the permit
      expect(await redis.exists(...permitKeysOf(id))).toBe(0);
    });

    it('takes nothing while one of the three is missing, and cleans up its own gate permits at the timeout', async () => {
      const id = 'bbbbbbbbbbbbbbbb';
      await writeGatePermits(redis, [execute(id)], 1_700_000_000);
      await redis.del(`quantum:permit:p26:${id}`);
      await redis.set(`quantum:permit:${id}`, '{"granted": true}', 'EX', 60);
      const result = await consumePermits(redis, id, { timeoutMs: 300 });
      expect(result.outcome).toBe('timeout');
      expect(await redis.get(`quantum:permit:${id}`)).toBe('{"granted": true}'); // the governor's is not the simulator's to remove
      expect(await redis.exists(`quantum:permit:p33:${id}`, `quantum:permit:p26:${id}`)).toBe(0);
    });

    it('two consumers racing for one set: exactly one gets it', async () => {
      const id = 'cccccccccccccccc';
      await writeGatePermits(redis, [execute(id)], 1_700_000_000);
      await redis.set(`quantum:permit:${id}`, '{"granted": true}', 'EX', 60);
      const other = new Redis(server.url);
      try {
        const outcomes = await Promise.all([consumePermits(redis, id, { timeoutMs: 300 }), consumePermits(other, id, { timeoutMs: 300 })]);
        expect(outcomes.map((r) => r.outcome).sort()).toEqual(['consumed', 'timeout']);
      } finally {
        other.disconnect();
      }
    });

    it('no governor permit in 1.2 s: timed out (permit_timeout_or_missing) with p33/p26 removed; blocked when a block record exists', async () => {
      const [late, refused] = ['dddddddddddddddd', 'eeeeeeeeeeeeeeee'];
      await writeGatePermits(redis, [execute(late), execute(refused)], 1_700_000_000);
      await redis.set(`quantum:governor:block:${refused}`, JSON.stringify({ reason: 'symbol_cooldown', timestamp: 1_700_000_000, symbol: 'BTCUSDT' }), 'EX', 3600);
      const [timedOut, blocked] = await Promise.all([consumePermits(redis, late), consumePermits(redis, refused)]);
      expect(timedOut).toEqual({ outcome: 'timeout' });
      expect(blocked).toEqual({ outcome: 'blocked' });
      expect(await redis.keys('quantum:permit:*')).toEqual([]);
    });

    it('a governor permit that is not JSON is consumed but counted invalid', async () => {
      const id = 'ffffffffffffffff';
      await writeGatePermits(redis, [execute(id)], 1_700_000_000);
      await redis.set(`quantum:permit:${id}`, 'not json', 'EX', 60);
      expect((await consumePermits(redis, id)).outcome).toBe('invalid');
      expect(await redis.exists(...permitKeysOf(id))).toBe(0);
    });
  });

  it('runs both producers: both plan shapes in the stream, market hashes, permits consumed per producer', async () => {
    // By hand, as a governor would, for three plans only: a permit for the first EXECUTE plan of
    // each producer and a block record for the second intent-bridge one. All others get nothing.
    const handled: Record<string, string> = {};
    let running = true;
    const watcher = (async () => {
      const reader = new Redis(server.url);
      const permit = (planId: string) => reader.set(`quantum:permit:${planId}`, JSON.stringify({ granted: true, plan_id: planId }), 'EX', 60);
      let lastId = '0';
      let intents = 0;
      while (running) {
        const reply = await reader.xread('COUNT', 100, 'BLOCK', 50, 'STREAMS', STREAM, lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, flat] of entries) {
            lastId = id;
            const f = fieldsOf(flat);
            if (f['decision'] !== 'EXECUTE') continue;
            const planId = f['plan_id'];
            if (f['source'] === 'intent_bridge') {
              intents += 1;
              if (intents === 1) {
                handled['intent_bridge'] = planId;
                await permit(planId);
              } else if (intents === 2) {
                handled['blocked'] = planId;
                await reader.set(`quantum:governor:block:${planId}`, JSON.stringify({ reason: 'notional_per_trade_exceeded', symbol: f['symbol'] }), 'EX', 3600);
              }
            } else if (!handled['apply_layer']) {
              handled['apply_layer'] = planId;
              await permit(planId);
            }
          }
        }
      }
      reader.disconnect();
    })();
    const lines: string[] = [];
    const stats = await runSimulation({ redis, seed: 3, symbols: 30, plansPerSec: 40, tickSec: 1, durationSec: 2.5, summaryEverySec: 1, onSummary: (l) => lines.push(l) });
    running = false;
    await watcher;

    expect(stats.errors).toBe(0);
    expect(stats.ticks).toBeGreaterThanOrEqual(2);
    expect(stats.targetsWritten).toBe(30 * stats.ticks);
    expect(stats.plans).toBeGreaterThanOrEqual(90);
    expect(stats.plans).toBeLessThanOrEqual(110); // 40/s for 2.5 s, timers late under load

    // the stream: every entry in one of the two shapes, field order included
    const entries = await redis.xrange(STREAM, '-', '+');
    expect(entries).toHaveLength(stats.plans);
    const shapes = entries.map(([, flat]) => {
      const names = flat.filter((_, i) => i % 2 === 0).join();
      if (names === APPLY_LAYER_FIELDS.join()) return 'apply_layer';
      if (names === INTENT_BRIDGE_FIELDS.join()) return 'intent_bridge';
      return `unknown shape: ${names}`;
    });
    expect(shapes.filter((s) => s.startsWith('unknown'))).toEqual([]);
    expect(shapes.filter((s) => s === 'apply_layer')).toHaveLength(stats.byProducer.apply_layer.plans);
    expect(shapes.filter((s) => s === 'intent_bridge')).toHaveLength(stats.byProducer.intent_bridge.plans);

    // the market feed: one hash per symbol, expiring
    const marketKeys = await redis.keys('quantum:market:*:bybit');
    expect(marketKeys).toHaveLength(30);
    for (const key of marketKeys) {
      expect(Object.keys(await redis.hgetall(key))).toEqual(['price', 'volume', 'bid', 'ask', 'ts']);
      expect(await redis.ttl(key)).toBeGreaterThan(0);
    }

    // permits: the hand-written ones consumed, the block record counted, every other EXECUTE timed out
    expect(Object.keys(handled).sort()).toEqual(['apply_layer', 'blocked', 'intent_bridge']);
    const a = stats.byProducer.apply_layer;
    const b = stats.byProducer.intent_bridge;
    expect(a.plansByDecision.SKIP).toBeGreaterThan(a.plansByDecision.EXECUTE);
    expect(b.plansByDecision.EXECUTE).toBe(b.plans);
    expect(a).toMatchObject({ permitsConsumed: 1, permitsBlocked: 0, permitsTimedOut: a.plansByDecision.EXECUTE - 1 });
    expect(b).toMatchObject({ permitsConsumed: 1, permitsBlocked: 1, permitsTimedOut: b.plans - 2 });
    expect(await redis.keys('quantum:permit:*')).toEqual([]); // consumed, or the simulator's own removed
    expect(lines.at(-1)).toMatch(/apply_layer: plans \d+ \(EXECUTE \d+, SKIP \d+.*\), permits consumed 1 \(avg \d+ ms, max \d+ ms\), blocked 0, timed out \d+/);
    expect(lines.at(-1)).toMatch(/intent_bridge: plans \d+ \(EXECUTE \d+\), permits consumed 1 .*, blocked 1, timed out \d+/);
  });

  it('the same seed and clock give the same written values', async () => {
    const snapshot = async () => {
      await redis.flushdb();
      let now = 1_700_000_000_000;
      // one tick (the first, at start): the timing of later ticks is wall-clock, multi-tick determinism is unit-tested
      await runSimulation({ redis, seed: 11, symbols: 10, plansPerSec: 0, tickSec: 60, durationSec: 0.1, summaryEverySec: 60, now: () => (now += 50) });
      const keys = (await redis.keys('quantum:*')).sort();
      return Promise.all(keys.map(async (k) => [k, await redis.hgetall(k)]));
    };
    const first = await snapshot();
    expect(first.length).toBeGreaterThan(20);
    expect(first.filter(([k]) => String(k).startsWith('quantum:market:'))).toHaveLength(10);
    expect(await snapshot()).toEqual(first);
  });
});
