import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { runSimulation } from '../src/simulate/run';
import { Simulator } from '../src/simulate/simulator';
import { consumePermit, writeTick } from '../src/simulate/writer';

describe('ctl simulate writer (real Redis)', () => {
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

  it('writes targets (EX 300) and efficiency (EX 600) exactly as generated', async () => {
    const tick = new Simulator({ seed: 5, symbols: 20 }).tick(1_700_000_000);
    await writeTick(redis, tick);
    const t = tick.targets[0];
    expect(await redis.hgetall(`quantum:allocation:target:${t.symbol}`)).toEqual(t.fields);
    expect(await redis.ttl(`quantum:allocation:target:${t.symbol}`)).toBeGreaterThan(290);
    const e = tick.efficiency[0];
    expect(await redis.hgetall(`quantum:capital:efficiency:${e.symbol}`)).toEqual(e.fields);
    expect(await redis.ttl(`quantum:capital:efficiency:${e.symbol}`)).toBeGreaterThan(590);
  });

  it('consumes a permit once, atomically; reports blocked and timed out', async () => {
    setTimeout(() => void redis.set('quantum:permit:aaaaaaaaaaaaaaaa', '{"granted":true}', 'EX', 60), 250);
    const granted = await consumePermit(redis, 'aaaaaaaaaaaaaaaa');
    expect(granted.outcome).toBe('granted');
    expect(granted.permit).toBe('{"granted":true}');
    expect(granted.latencyMs).toBeGreaterThanOrEqual(200);
    expect(await redis.exists('quantum:permit:aaaaaaaaaaaaaaaa')).toBe(0);
    await redis.set('quantum:governor:block:bbbbbbbbbbbbbbbb', '{}');
    expect((await consumePermit(redis, 'bbbbbbbbbbbbbbbb', { timeoutMs: 300 })).outcome).toBe('blocked');
    const started = Date.now();
    expect((await consumePermit(redis, 'cccccccccccccccc')).outcome).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1100);
    expect(Date.now() - started).toBeLessThan(1600);
  });

  it('runs: plans at the rate, trimmed stream, permits granted by a stand-in governor', async () => {
    // stand-in governor: a permit for every EXECUTE plan
    let lastId = '0';
    let running = true;
    const governor = (async () => {
      const reader = new Redis(server.url);
      while (running) {
        const reply = await reader.xread('COUNT', 100, 'BLOCK', 100, 'STREAMS', 'quantum:stream:apply.plan', lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, flat] of entries) {
            lastId = id;
            const f: Record<string, string> = {};
            for (let i = 0; i < flat.length; i += 2) f[flat[i]] = flat[i + 1];
            if (f['decision'] === 'EXECUTE') await reader.set(`quantum:permit:${f['plan_id']}`, JSON.stringify({ granted: true, plan_id: f['plan_id'] }), 'EX', 60);
          }
        }
      }
      reader.disconnect();
    })();
    const lines: string[] = [];
    const stats = await runSimulation({ redis, seed: 3, symbols: 30, plansPerSec: 40, tickSec: 1, durationSec: 2.5, summaryEverySec: 1, onSummary: (l) => lines.push(l) });
    running = false;
    await governor;
    expect(stats.ticks).toBeGreaterThanOrEqual(2);
    expect(stats.targetsWritten).toBe(30 * stats.ticks);
    expect(stats.plans).toBeGreaterThanOrEqual(90);
    expect(stats.plans).toBeLessThanOrEqual(110); // 40/s for 2.5 s, timers late under load
    expect(await redis.xlen('quantum:stream:apply.plan')).toBe(stats.plans);
    expect(stats.plansByDecision.EXECUTE).toBeGreaterThan(0);
    expect(stats.permitsGranted).toBe(stats.plansByDecision.EXECUTE);
    expect(stats.permitsTimedOut).toBe(0);
    expect(stats.errors).toBe(0);
    expect((await redis.keys('quantum:permit:*')).length).toBe(0); // every permit consumed
    expect(lines.at(-1)).toMatch(/plans \d+ \(EXECUTE \d+, SKIP \d+, BLOCKED \d+, ERROR \d+\) \| permits granted \d+/);
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
    expect(first.length).toBeGreaterThan(10);
    expect(await snapshot()).toEqual(first);
  });
});
