import Redis from 'ioredis';
import { createRedisClient, watchHealth, watchLiveness } from '../src';
import { FreezableProxy, startThrowawayRedis, type ThrowawayRedis } from '../src/testing';

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

describe('watchHealth / watchLiveness against a connection that stops answering (real Redis behind a proxy)', () => {
  let server: ThrowawayRedis;
  let proxy: FreezableProxy;
  let admin: Redis;

  beforeAll(async () => {
    server = await startThrowawayRedis();
    const url = new URL(server.url);
    proxy = await FreezableProxy.start(url.hostname, Number(url.port));
    admin = new Redis(server.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await proxy.stop();
    await server.stop();
  });

  it('sees the black hole within seconds, drops and reconnects once the path answers again; no command waits forever', async () => {
    const client = createRedisClient({ app: 'test', url: proxy.url }, 'command');
    client.on('error', () => undefined);
    const states: string[] = [];
    const hung: string[] = [];
    const stopWatching = watchHealth(client, (up, reason) => states.push(up ? 'up' : `down: ${reason}`), { intervalMs: 200, timeoutMs: 500, onHung: (reason) => hung.push(reason) });
    try {
      await until(() => client.status === 'ready');
      expect(await client.set('k', 'v')).toBe('OK');

      proxy.freeze();
      const inFlight = client.get('k').then(() => 'answered', (error: Error) => error.message);
      const seenAfter = await until(() => hung.length > 0, 5_000);
      expect(seenAfter).toBeLessThan(2_000);
      expect(hung[0]).toMatch(/did not answer PING within 500 ms/);
      // the command sent into the black hole fails once the connection is dropped
      expect(await inFlight).toMatch(/Connection is closed|Command timed out|max retries per request/);
      expect(states).toContain('up');
      // the hang stays the reason through the drop and the failed reconnects that follow
      expect(states[states.length - 1]).toMatch(/^down: redis did not answer PING within 500 ms/);

      proxy.thaw();
      await until(() => client.status === 'ready', 15_000);
      expect(await client.get('k')).toBe('v');
      expect(states[states.length - 1]).toBe('up');
    } finally {
      stopWatching();
      client.disconnect();
    }
  });

  it('leaves a healthy connection alone', async () => {
    const client = new Redis(server.url);
    const hung: string[] = [];
    const stop = watchLiveness(client, { intervalMs: 50, timeoutMs: 1000, onHung: (reason) => hung.push(reason) });
    await until(() => client.status === 'ready');
    await new Promise((r) => setTimeout(r, 400));
    stop();
    expect(hung).toEqual([]);
    expect(client.status).toBe('ready');
    client.disconnect();
  });
});
