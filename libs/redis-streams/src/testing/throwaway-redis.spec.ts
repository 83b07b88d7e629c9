import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from './throwaway-redis';

describe('startThrowawayRedis', () => {
  let redis: ThrowawayRedis;
  afterEach(async () => redis?.stop());

  it('gives a server that is not the machine-wide one on 6379', async () => {
    redis = await startThrowawayRedis();
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url);
    await client.set('k', 'v');
    expect(await client.get('k')).toBe('v');
    client.disconnect();
  });

  it('keeps data across kill -9 and restart with append-only persistence', async () => {
    redis = await startThrowawayRedis({ appendOnly: true });
    const client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 20 });
    await client.xadd('s', '*', 'a', '1');
    await redis.kill();
    await redis.restart();
    expect(await client.xlen('s')).toBe(1);
    client.disconnect();
  });

  it('enforces a password when asked to', async () => {
    redis = await startThrowawayRedis({ password: 's3cret' });
    const anonymous = new Redis({ host: redis.host, port: redis.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    anonymous.on('error', () => undefined);
    await expect(anonymous.ping()).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
    const authed = new Redis(redis.url);
    expect(await authed.ping()).toBe('PONG');
    authed.disconnect();
  });
});
