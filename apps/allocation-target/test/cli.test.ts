import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { findFreePort, startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { ALLOCATION_TARGET_CONFIG } from '@quantum/config';
import { runService } from './child';
import { bulkUniverse, PROPOSED_PREFIX, seed, STREAM } from './seed';

jest.setTimeout(90_000);

describe('command line and configuration (child process)', () => {
  let redis: ThrowawayRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    client = new Redis(redis.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('--help lists every variable with its default and exits 0', async () => {
    const r = await runService(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--once');
    expect(r.stdout).toContain('--env-file');
    for (const def of Object.values(ALLOCATION_TARGET_CONFIG.schema)) {
      expect(r.stdout).toContain(def.name);
      if (def.defaultValue !== undefined && !def.secret) expect(r.stdout).toContain(`default: ${def.defaultText}`);
    }
  });

  it.each([
    ['an inline comment', { P31_MIN_CONF: '0.65 # comment' }, ['P31_MIN_CONF']],
    ['an empty value', { BATCH_SIZE: '' }, ['BATCH_SIZE']],
    ['a value out of range', { P31_MIN_CONF: '1.5' }, ['P31_MIN_CONF']],
    ['not a number', { LOOP_INTERVAL_SEC: 'abc' }, ['LOOP_INTERVAL_SEC']],
    ['P31_MIN_MULT > P31_MAX_MULT', { P31_MIN_MULT: '1.2', P31_MAX_MULT: '1.1' }, ['P31_MIN_MULT', 'P31_MAX_MULT']],
    ['a proposal prefix that would overwrite targets', { PROPOSED_KEY_PREFIX: 'quantum:allocation:target:' }, ['PROPOSED_KEY_PREFIX']],
    ['several problems at once', { PROPOSE_KEY_TTL: '0', METRICS_PORT: '70000', P31_SCALE: '-1' }, ['PROPOSE_KEY_TTL', 'METRICS_PORT', 'P31_SCALE']],
  ])('%s: exit 78 naming the variable, nothing written', async (_name, env, names) => {
    const before = await client.dbsize();
    const r = await runService(['--once'], { REDIS_URL: redis.url, ...env });
    expect(r.code).toBe(78);
    for (const n of names) expect(r.stderr).toContain(n);
    expect(await client.dbsize()).toBe(before);
  });

  it('a bad value in the env file is refused too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alloc-env-'));
    const file = join(dir, 'a.env');
    writeFileSync(file, `REDIS_URL=${redis.url}\nP31_MAX_MULT=0\n`);
    const r = await runService(['--once', '--env-file', file], {});
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('P31_MAX_MULT');
  });

  it('an unknown argument exits 2', async () => {
    const r = await runService(['--onec'], { REDIS_URL: redis.url });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--onec');
  });

  it('--once runs one loop, exits 0 (settings from an env file)', async () => {
    await client.flushall();
    await seed(client, bulkUniverse(50, Math.floor(Date.now() / 1000)));
    const dir = mkdtempSync(join(tmpdir(), 'alloc-env-'));
    const file = join(dir, 'a.env');
    writeFileSync(file, `# test\nREDIS_URL=${redis.url}\nBATCH_SIZE=7\nLOG_LEVEL=debug\n`);
    const r = await runService(['--once', '--env-file', file], {});
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await client.xlen(STREAM)).toBe(50);
    expect(await client.hget(PROPOSED_PREFIX + 'S3USDT', 'reason')).toBe('ok');
    const done = r.stdout.split('\n').filter((l) => l.includes('"proposal loop done"'));
    expect(done).toHaveLength(1);
    expect(JSON.parse(done[0] as string)).toMatchObject({ level: 'info', symbols: 50, written: 50 });
  });

  it('--once with Redis unreachable exits non-zero', async () => {
    const port = await findFreePort();
    const r = await runService(['--once'], { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port) });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toContain('redis unreachable');
  });
});
