import { startThrowawayRedis, type ThrowawayRedis } from '../src/testing';
import { executeAtomicGroups, redisCommand, scanAllKeys, scanKeys, waitForReady } from '../src';
import { client, disconnectAll } from './helpers';

// Real Redis on a shared, sometimes busy machine.
jest.setTimeout(30_000);

describe('SCAN and atomic groups (real Redis)', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });
  afterAll(async () => redis?.stop());
  afterEach(() => disconnectAll());

  it('returns each of 10k matching keys exactly once and none of the decoys', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushdb();
    const expected = new Set<string>();
    for (let chunk = 0; chunk < 10; chunk += 1) {
      const pipeline = c.pipeline();
      for (let i = chunk * 1000; i < (chunk + 1) * 1000; i += 1) {
        const key = `quantum:allocation:target:SYM${i}`;
        expected.add(key);
        pipeline.hset(key, 'target_usd', '1');
        pipeline.hset(`quantum:allocation:target:proposed:SYM${i}`, 'x', '1');
        pipeline.set(`quantum:other:SYM${i}`, '1');
      }
      await pipeline.exec();
    }
    const seen: string[] = [];
    let batches = 0;
    for await (const batch of scanKeys(c, { match: 'quantum:allocation:target:*', count: 500 })) {
      batches += 1;
      seen.push(...batch.filter((key) => !key.startsWith('quantum:allocation:target:proposed:')));
    }
    expect(batches).toBeGreaterThan(1);
    expect(seen.length).toBe(10_000);
    expect(new Set(seen)).toEqual(expected);
    const hashes = await scanAllKeys(c, { match: 'quantum:other:*', type: 'hash' });
    expect(hashes).toEqual([]);
  });

  it('executes atomic groups, a group failing alone', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.set('w:string', 'x');
    const groups = await executeAtomicGroups(c, [
      [redisCommand('HSET', 'g:1', 'a', '1'), redisCommand('EXPIRE', 'g:1', 600)],
      [redisCommand('HSET', 'w:string', 'a', '1'), redisCommand('EXPIRE', 'w:string', 600)],
      [redisCommand('NOSUCHCOMMAND', 'x')],
      [redisCommand('SET', 'g:2', 'v', 'EX', 600)],
    ]);
    expect(groups[0]).toEqual({ ok: true, value: [1, 1] });
    expect(groups[1]?.ok === false && groups[1].error.message).toMatch(/^HSET w:string a 1: WRONGTYPE/);
    expect(groups[2]?.ok).toBe(false);
    expect(groups[3]).toEqual({ ok: true, value: ['OK'] });
    expect(await c.ttl('g:1')).toBeGreaterThan(590);
  });
});
