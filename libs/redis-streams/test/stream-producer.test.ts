import { startThrowawayRedis, type ThrowawayRedis } from '../src/testing';
import { StreamProducer, waitForReady, writeDeadLetter } from '../src';
import { client, disconnectAll } from './helpers';

// Real Redis on a shared, sometimes busy machine.
jest.setTimeout(30_000);

describe('StreamProducer and dead letters (real Redis)', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });
  afterAll(async () => redis?.stop());
  afterEach(() => disconnectAll());

  it('writes fields in the given order, singly and batched', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    const producer = new StreamProducer(c, { stream: 'p:order', maxLen: 1000 });
    const id = await producer.add([['ts_epoch', '1'], ['symbol', 'BTC'], ['a', '2']]);
    const results = await producer.addMany([{ z: '1', a: '2' }, [['m', '3']]]);
    expect(results.every((r) => r.ok)).toBe(true);
    const entries = await c.xrange('p:order', '-', '+');
    expect(entries).toEqual([
      [id, ['ts_epoch', '1', 'symbol', 'BTC', 'a', '2']],
      [results[0]?.ok && results[0].value, ['z', '1', 'a', '2']],
      [results[1]?.ok && results[1].value, ['m', '3']],
    ]);
  });

  it('trims approximately to MAXLEN', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    const producer = new StreamProducer(c, { stream: 'p:trim', maxLen: 100 });
    for (let round = 0; round < 10; round += 1) {
      await producer.addMany(Array.from({ length: 100 }, (_, i) => ({ n: String(round * 100 + i) })));
    }
    const length = await c.xlen('p:trim');
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(300);
  });

  it('reports a wrong-type stream key per entry and with the command named', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.set('p:string', 'x');
    const producer = new StreamProducer(c, { stream: 'p:string' });
    await expect(producer.add({ a: '1' })).rejects.toThrow(/^XADD p:string \* a 1: WRONGTYPE/);
    const [result] = await producer.addMany([{ a: '1' }]);
    expect(result?.ok).toBe(false);
  });

  it('dead-letters an entry with its original fields, error, failed_at and source_id', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    const id = await writeDeadLetter(c, { stream: 'dlq', fields: { plan_id: 'p1', qty: 'abc' }, error: 'qty is not a decimal', sourceId: '5-0', failedAt: 1700000000 });
    expect(await c.xrange('dlq', '-', '+')).toEqual([
      [id, ['plan_id', 'p1', 'qty', 'abc', 'error', 'qty is not a decimal', 'failed_at', '1700000000', 'source_id', '5-0']],
    ]);
  });
});
