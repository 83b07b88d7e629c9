import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { verifyCommand } from '../src/commands/verify';
import { EXPECTED_FAMILIES, hasFamily, parseMetrics } from '../src/commands/verify-checks';
import { captureOutput as capture } from './capture-output';

interface Canned {
  readyStatus: number;
  readyBody: string;
  metrics: string;
  /** Body of `/config`; absent: 404, as a service without the endpoint. */
  config?: string;
}

async function cannedServer(canned: Canned): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    if (req.url === '/readyz') {
      res.writeHead(canned.readyStatus, { 'Content-Type': 'application/json' });
      res.end(canned.readyBody);
    } else if (req.url === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
      res.end(canned.metrics);
    } else if (req.url === '/config' && canned.config !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(canned.config);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function exposition(families: readonly string[], extra = ''): string {
  return families
    .map((f) => {
      const type = f.endsWith('_total') ? 'counter' : 'gauge';
      const value = f === 'p29_shadow_last_success_timestamp_seconds' ? String(Date.now() / 1000 - 3) : '1';
      return `# HELP ${f} test\n# TYPE ${f} ${type}\n${f} ${value}\n`;
    })
    .join('') + extra;
}

const READY = JSON.stringify({ ready: true, reasons: [], components: {} });

describe('ctl verify', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  const servers: Server[] = [];

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    redis?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushdb();
  });

  async function healthyRedis(): Promise<() => void> {
    await redis.xgroup('CREATE', 'quantum:stream:apply.plan', 'governor', '$', 'MKSTREAM');
    await redis.hset('quantum:allocation:target:BTCUSDT', { target_usd: '1000' });
    await redis.set('quantum:allocation:target:proposed:BTCUSDT', 'x', 'EX', 600);
    await redis.set('quantum:permit:0123456789abcdef', '{}', 'EX', 60);
    // a running system: proposals, plans and governor events keep arriving
    const timer = setInterval(() => {
      void redis.xadd('quantum:stream:allocation.target.proposed', '*', 'symbol', 'BTCUSDT');
      void redis.xadd('quantum:stream:apply.plan', '*', 'plan_id', 'p');
      void redis.xadd('quantum:stream:governor.events', '*', 'plan_id', 'p');
      void redis
        .xreadgroup('GROUP', 'governor', 'c1', 'COUNT', 100, 'STREAMS', 'quantum:stream:apply.plan', '>')
        .then(async (reply) => {
          const entries = (reply as [string, [string, string[]][]][] | null)?.[0]?.[1];
          if (Array.isArray(entries) && entries.length > 0) await redis.xack('quantum:stream:apply.plan', 'governor', ...entries.map(([id]) => id));
        })
        .catch(() => undefined);
    }, 100);
    return () => clearInterval(timer);
  }

  async function services(allocation: Canned, governor: Canned) {
    const a = await cannedServer(allocation);
    const g = await cannedServer(governor);
    servers.push(a.server, g.server);
    return ['--allocation-url', a.url, '--governor-url', g.url];
  }

  const healthyAllocation: Canned = {
    readyStatus: 200,
    readyBody: READY,
    metrics: exposition(EXPECTED_FAMILIES['allocation-target']),
    config: JSON.stringify({ LOOP_INTERVAL_SEC: 10, REDIS_PASSWORD: '***' }),
  };
  const healthyGovernor: Canned = {
    readyStatus: 200,
    readyBody: READY,
    metrics: exposition(EXPECTED_FAMILIES.governor),
    config: JSON.stringify({ GOV_MODE: 'enforce', PERMIT_TTL_SEC: 60 }),
  };

  it('passes every check against a healthy deployment (exit 0)', async () => {
    const stop = await healthyRedis();
    try {
      const urls = await services(healthyAllocation, healthyGovernor);
      const r = await capture(() => verifyCommand.run(['--redis-url', server.url, ...urls, '--window', '1.5']));
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const rows = r.out.split('\n').filter((l) => /^(PASS|WARN|FAIL)\s/.test(l));
      expect(rows.length).toBe(13);
      expect(rows.filter((l) => !l.startsWith('PASS'))).toEqual([]);
      expect(r.out).toMatch(/PASS\s+redis ping\s+PONG in [\d.]+ ms/);
      expect(r.out).toMatch(/PASS\s+governor group on quantum:stream:apply.plan\s+lag 0, pending \d+, consumers \d+/);
      expect(r.out).toMatch(/PASS\s+proposal stream growing\s+\+\d+ entries in 1.5 s/);
      expect(r.out).toMatch(/PASS\s+permit TTLs\s+1 keys, ttl \d+\.\.\d+ s/);
      expect(r.out).toContain('13 passed, 0 warning(s), 0 failed');
      expect(r.out).not.toContain('\u001b['); // not a TTY: no colour
    } finally {
      stop();
    }
  });

  it('--json gives one machine-readable document', async () => {
    const stop = await healthyRedis();
    try {
      const urls = await services({ ...healthyAllocation, config: undefined }, healthyGovernor);
      const r = await capture(() => verifyCommand.run(['--redis-url', server.url, ...urls, '--window', '1', '--json']));
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.out) as { ok: boolean; summary: Record<string, number>; target: Record<string, unknown>; checks: Record<string, unknown>[] };
      expect(doc.ok).toBe(true);
      expect(doc.summary).toEqual({ pass: 12, warn: 1, fail: 0 });
      expect(doc.target).toMatchObject({ allocation: urls[1], governor: urls[3], windowSec: 1 });
      for (const check of doc.checks) {
        expect(typeof check['name']).toBe('string');
        expect(['pass', 'warn', 'fail']).toContain(check['status']);
        expect(typeof check['value']).toBe('string');
      }
      // no config exposed by allocation-target: a warning, not a failure
      expect(doc.checks.find((c) => c['name'] === 'allocation-target config')).toMatchObject({ status: 'warn', value: 'not exposed' });
      expect(doc.checks.find((c) => c['name'] === 'governor config')).toMatchObject({ status: 'pass', value: '2 settings' });
    } finally {
      stop();
    }
  });

  it('fails (exit 1) with fail rows for a broken deployment', async () => {
    await redis.hset('quantum:allocation:target:BTCUSDT', { target_usd: '1000' });
    await redis.set('quantum:allocation:target:proposed:BTCUSDT', 'x'); // no expiry
    await redis.xadd('quantum:stream:apply.plan', '*', 'plan_id', 'p'); // no governor group
    const urls = await services(
      {
        readyStatus: 503,
        readyBody: JSON.stringify({ ready: false, reasons: ['redis: connection refused'], components: {} }),
        metrics: exposition(EXPECTED_FAMILIES['allocation-target'].filter((f) => f !== 'p29_shadow_multiplier')),
      },
      healthyGovernor,
    );
    const r = await capture(() => verifyCommand.run(['--redis-url', server.url, ...urls, '--window', '0.5', '--json']));
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { ok: boolean; checks: { name: string; status: string; value: string; detail?: string }[] };
    expect(doc.ok).toBe(false);
    const byName = Object.fromEntries(doc.checks.map((c) => [c.name, c]));
    expect(byName['allocation-target /readyz']).toMatchObject({ status: 'fail', value: 'not ready (503)', detail: 'redis: connection refused' });
    expect(byName['allocation-target metric families']).toMatchObject({ status: 'fail', value: '6/7 present', detail: 'missing: p29_shadow_multiplier' });
    expect(byName['governor group on quantum:stream:apply.plan']).toMatchObject({ status: 'fail', value: 'group missing' });
    expect(byName['proposal key TTLs']).toMatchObject({ status: 'fail' });
    expect(byName['proposal key TTLs'].detail).toContain('ttl none');
    expect(byName['proposal stream growing']).toMatchObject({ status: 'fail' });
    expect(byName['governor /readyz'].status).toBe('pass');

    const table = await capture(() => verifyCommand.run(['--redis-url', server.url, ...urls, '--window', '0']));
    expect(table.code).toBe(1);
    expect(table.out).toMatch(/FAIL\s+allocation-target \/readyz\s+not ready \(503\)\s+redis: connection refused/);
    expect(table.out).toMatch(/FAIL\s+allocation-target metric families\s+6\/7 present\s+missing: p29_shadow_multiplier/);
  });

  it('reports unreachable services and Redis as failures', async () => {
    const r = await capture(() =>
      verifyCommand.run(['--redis-url', 'redis://127.0.0.1:1', '--allocation-url', 'http://127.0.0.1:1', '--governor-url', 'http://127.0.0.1:1', '--window', '0', '--json', '--timeout', '500']),
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { checks: { name: string; status: string; value: string }[] };
    expect(doc.checks.every((c) => c.status !== 'pass')).toBe(true);
    expect(doc.checks[0]).toMatchObject({ name: 'redis ping', status: 'fail', value: 'unreachable' });
  });

  it('rejects bad options with exit 2', async () => {
    const r = await capture(() => verifyCommand.run(['--window', 'soon']));
    expect(r.code).toBe(2);
    expect(r.err).toContain('--window must be');
  });

  it('parses Prometheus text with labels and suffixes', () => {
    const { families, samples } = parseMetrics('# TYPE a_total counter\na_total{reason="ok",x="q\\"uote"} 3\nb_bucket{le="+Inf"} 2\n');
    expect(hasFamily(families, 'a_total')).toBe(true);
    expect(hasFamily(families, 'b')).toBe(false);
    expect(samples[0]).toEqual({ name: 'a_total', labels: { reason: 'ok', x: 'q"uote' }, value: 3 });
  });
});
