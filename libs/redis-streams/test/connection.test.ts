import { startThrowawayRedis, type ThrowawayRedis } from '../src/testing';
import { waitForReady, watchConnection } from '../src';
import { client, disconnectAll } from './helpers';

// Real Redis on a shared, sometimes busy machine.
jest.setTimeout(30_000);

describe('connections (real Redis)', () => {
  let redis: ThrowawayRedis | undefined;
  afterEach(async () => {
    disconnectAll();
    await redis?.stop();
    redis = undefined;
  });

  it('names the connection, fails fast while Redis is down and resumes by itself after a restart', async () => {
    redis = await startThrowawayRedis();
    if (redis.kind === 'external') return; // cannot kill an external server
    const c = client({ host: redis.host, port: redis.port });
    const states: boolean[] = [];
    watchConnection(c, (up) => states.push(up));
    await waitForReady(c, 5000);
    expect(await c.client('GETNAME')).toMatch(/^test:.+:command$/);

    await redis.kill();
    const started = Date.now();
    await expect(c.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);

    await redis.restart();
    await waitForReady(c, 10_000);
    expect(await c.ping()).toBe('PONG');
    expect(states).toEqual([false, true, false, true]);
  });

  it('a blocking-role command issued during the outage completes after the restart', async () => {
    redis = await startThrowawayRedis();
    if (redis.kind === 'external') return;
    const c = client({ url: redis.url }, 'blocking');
    await waitForReady(c, 5000);
    await redis.kill();
    const pending = c.xadd('s', '*', 'a', '1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await redis.restart();
    await expect(pending).resolves.toMatch(/^\d+-\d+$/);
  });

  it('authenticates with a password and fails to become ready with a wrong one', async () => {
    redis = await startThrowawayRedis({ password: 'pw-secret' });
    const good = client({ host: redis.host, port: redis.port, password: 'pw-secret' });
    await waitForReady(good, 5000);
    expect(await good.ping()).toBe('PONG');
    const bad = client({ host: redis.host, port: redis.port, password: 'wrong' });
    await expect(waitForReady(bad, 1000)).rejects.toThrow(/not ready after 1000 ms/);
  });

  it('authenticates as an ACL user limited to quantum:* keys', async () => {
    redis = await startThrowawayRedis({ extraArgs: ['--user', 'svc', 'on', '>pw', '~quantum:*', '+@all'] });
    const svc = client({ url: `redis://${redis.host}:${redis.port}`, username: 'svc', password: 'pw' });
    await waitForReady(svc, 5000);
    await svc.set('quantum:x', '1');
    expect(await svc.get('quantum:x')).toBe('1');
    await expect(svc.set('other', '1')).rejects.toThrow(/NOPERM/);
    expect(await svc.acl('WHOAMI')).toBe('svc');
  });
});
