import Redis from 'ioredis';
import { findFreePort, startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { startService, waitFor, type Child } from './child';
import { parseSeries } from './prom';
import { bulkUniverse, PROPOSED_PREFIX, seed, STREAM } from './seed';

jest.setTimeout(120_000);

/**
 * The service as a child process against a Redis that dies mid-run and comes back: it stays up,
 * reports not ready, counts loop errors, backs off, and resumes proposing by itself. Then
 * SIGTERM stops it with exit 0 well within 10 s.
 */
describe('service: Redis outage and shutdown (child process)', () => {
  let redis: ThrowawayRedis;
  let client: Redis;
  let service: Child | undefined;
  let metricsUrl: string;

  const get = async (path: string) => {
    const res = await fetch(metricsUrl + path);
    return { status: res.status, body: await res.text() };
  };
  const metric = async (name: string) => parseSeries((await get('/metrics')).body).get(name);

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    if (redis.kind === 'external') throw new Error('this test needs a Redis it can kill (not TEST_REDIS_URL)');
    client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 100 });
    client.on('error', () => undefined);
    await seed(client, bulkUniverse(200, Math.floor(Date.now() / 1000)));
    const port = await findFreePort();
    metricsUrl = `http://127.0.0.1:${port}`;
    service = startService([], { REDIS_URL: redis.url, LOOP_INTERVAL_SEC: '0.25', METRICS_HOST: '127.0.0.1', METRICS_PORT: String(port), BATCH_SIZE: '50' });
  });

  afterAll(async () => {
    if (service && service.process.exitCode === null) service.process.kill('SIGKILL');
    client?.disconnect();
    await redis?.stop();
  });

  it('becomes ready after a successful loop and proposes', async () => {
    await waitFor('/readyz 200', async () => (await get('/readyz')).status === 200);
    const config = JSON.parse((await get('/config')).body) as Record<string, unknown>;
    expect(config).toMatchObject({ LOOP_INTERVAL_SEC: 0.25, BATCH_SIZE: 50, METRICS_HOST: '127.0.0.1', P31_MIN_CONF: 0.65 });
    expect((await get('/healthz')).status).toBe(200);
    expect(await client.exists(PROPOSED_PREFIX + 'S7USDT')).toBe(1);
    expect(await metric('service_ready')).toBe(1);
  });

  it('while Redis is down: stays up, not ready, counts loop errors, no busy loop', async () => {
    await redis.kill();
    await waitFor('/readyz 503', async () => (await get('/readyz')).status === 503);
    expect((await get('/healthz')).status).toBe(200);
    const errorsAt = async () => (await metric('p29_shadow_loop_errors_total')) ?? 0;
    await waitFor('a loop error counted', async () => (await errorsAt()) >= 1);
    const e1 = await errorsAt();
    await new Promise((r) => setTimeout(r, 3000));
    const e2 = await errorsAt();
    // a failed loop is retried at the next tick, never sooner: at most one attempt per 0.25 s
    // (12 in 3 s), however fast each attempt fails
    expect(e2 - e1).toBeGreaterThanOrEqual(6);
    expect(e2 - e1).toBeLessThanOrEqual(13);
    expect(await metric('service_ready')).toBe(0);
    const body = JSON.parse((await get('/readyz')).body) as { reasons: string[] };
    expect(body.reasons.join(' ')).toMatch(/redis|loop/);
  });

  it('recovers by itself when Redis comes back: ready again, proposals resume', async () => {
    await redis.restart(); // data lost (no persistence): the upstream writes again
    await waitFor('redis back', async () => (await client.ping()) === 'PONG');
    await seed(client, bulkUniverse(30, Math.floor(Date.now() / 1000)));
    await waitFor('/readyz 200 again', async () => (await get('/readyz')).status === 200, 60_000);
    await waitFor('proposals resumed', async () => (await client.xlen(STREAM)) >= 30);
    expect(await client.hget(PROPOSED_PREFIX + 'S29USDT', 'mode')).toBe('shadow');
    // the series of the 170 symbols that vanished with the data are gone
    await waitFor('vanished series removed', async () => {
      const series = parseSeries((await get('/metrics')).body);
      return !series.has('p29_shadow_multiplier{symbol="S150USDT"}') && series.has('p29_shadow_multiplier{symbol="S29USDT"}');
    });
    expect(await metric('p29_shadow_symbols_per_loop')).toBe(30);
  });

  it('SIGTERM: finishes the loop in hand and exits 0 within 10 s', async () => {
    const started = Date.now();
    (service as Child).process.kill('SIGTERM');
    const code = await (service as Child).exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    const records = (service as Child).records();
    expect(records.some((r) => r['msg'] === 'shutdown complete')).toBe(true);
    expect(records.some((r) => r['msg'] === 'proposal loop failed')).toBe(true);
    expect(records.some((r) => r['msg'] === 'proposal loop recovered')).toBe(true);
    expect((service as Child).stderr()).toBe('');
  });
});
