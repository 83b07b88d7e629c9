import { PassThrough } from 'node:stream';
import { GOVERNOR_CONFIG, resolveVariables } from '@quantum/config';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { createLogger } from '@quantum/service-runtime';
import { GovernorService } from '../src/service';

describe('governor HTTP endpoints', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => (redis = await startThrowawayRedis({ password: 'hunter2-governor' })));
  afterAll(() => redis.stop());

  it('serves its effective configuration on /config with secrets masked', async () => {
    const resolved = resolveVariables(GOVERNOR_CONFIG, {
      REDIS_HOST: redis.host, REDIS_PORT: String(redis.port), REDIS_PASSWORD: 'hunter2-governor',
      METRICS_HOST: '127.0.0.1', GOV_MODE: 'dry_run', GOV_BLOCK_MS: '200',
    });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    const logger = createLogger({ service: 'governor', level: 'error', stream: new PassThrough() });
    // Port 0 (a free port) is refused by the catalogue, rightly for operators; tests need it.
    const service = new GovernorService({ ...resolved.values, METRICS_PORT: 0 }, logger);
    const address = await service.start();
    try {
      const reply = await fetch(`${address.url}/config`);
      expect(reply.status).toBe(200);
      const body = await reply.text();
      const config = JSON.parse(body) as Record<string, unknown>;
      expect(config).toMatchObject({ GOV_MODE: 'dry_run', GOV_BLOCK_MS: 200, PERMIT_TTL_SEC: 60, REDIS_PASSWORD: '***' });
      expect(config['METRICS_PORT']).toBe(0);
      expect(Object.keys(config).sort()).toEqual(Object.keys(GOVERNOR_CONFIG.schema).sort());
      expect(body).not.toContain('hunter2');
    } finally {
      await service.stop();
    }
  });
});

describe('governor readiness', () => {
  it('says why Redis is unreachable on /readyz (the error, not just "connection closed")', async () => {
    const redis = await startThrowawayRedis({ password: 'right-password' });
    const resolved = resolveVariables(GOVERNOR_CONFIG, {
      REDIS_HOST: redis.host, REDIS_PORT: String(redis.port), REDIS_PASSWORD: 'wrong-password', METRICS_HOST: '127.0.0.1',
    });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
    const logger = createLogger({ service: 'governor', level: 'error', stream: new PassThrough() });
    const service = new GovernorService({ ...resolved.values, METRICS_PORT: 0 }, logger);
    const address = await service.start();
    try {
      let body = '';
      for (let i = 0; i < 50 && !/WRONGPASS/.test(body); i++) {
        const reply = await fetch(`${address.url}/readyz`);
        expect(reply.status).toBe(503);
        body = await reply.text();
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(body).toMatch(/WRONGPASS/);
      expect(body).not.toContain('wrong-password');
    } finally {
      await service.stop();
      await redis.stop();
    }
  });
});
