/**
 * SECURITY — the built services (child processes) against throwaway redis-servers:
 * passwords (REDIS_PASSWORD and in REDIS_URL), the per-service ACL users of docs/security.md
 * (read from the doc and applied as written), TLS with a throwaway CA, secrets never in
 * logs/errors/metrics, METRICS_HOST binding. See docs/security.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisServerProcess } from '@quantum/redis-streams/testing';
import {
  ensureBuilt, fieldsToMap, httpGet, listeningAddresses, makeTlsMaterial, readyStatus, ROOT, sleep, startService, startTlsOnlyRedis,
  waitFor, waitReady, type ServiceChild, type TlsMaterial, type TlsRedis,
} from './chaos/support';

jest.setTimeout(120_000);

const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';
const PROPOSALS = 'quantum:stream:allocation.target.proposed';
/** Distinctive, with characters that must be URL-encoded. */
const PASSWORD = 'Zq9-s3cr/t@P#ss%w0rd';
const WRONG = 'Wr0ng-Zq9/pa@ss#x%y';

const children: ServiceChild[] = [];
async function service(...args: Parameters<typeof startService>): Promise<ServiceChild> {
  const child = await startService(...args);
  children.push(child);
  return child;
}
afterEach(async () => {
  for (const c of children.splice(0)) {
    await c.kill('SIGKILL');
    if (process.env['SECURITY_TEST_DEBUG']) console.log(`${c.app} output:\n${c.output().slice(-4000)}`);
  }
});

beforeAll(() => ensureBuilt(), 300_000);

function noSecret(text: string, ...secrets: string[]): void {
  for (const s of secrets) {
    for (const form of [s, encodeURIComponent(s), encodeURI(s)]) expect(text).not.toContain(form);
  }
}

async function seed(admin: Redis, symbols: string[]): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  for (const s of symbols) {
    await admin.hset(`quantum:allocation:target:${s}`, { target_usd: '1000', confidence: '0.9', timestamp: String(now), mode: 'live' });
    await admin.hset(`quantum:capital:efficiency:${s}`, { efficiency_score: '0.2', confidence: '0.9', ts: String(now) });
  }
}

function plan(id: string, symbol: string, extra: Record<string, string> = {}): string[] {
  const f: Record<string, string> = { plan_id: id, symbol, action: 'OPEN_PROPOSED', decision: 'EXECUTE', kill_score: '0.1', side: 'BUY', qty: '1', price: '10', timestamp: '1700000000', ...extra };
  return Object.entries(f).flat();
}

async function events(admin: Redis): Promise<Record<string, string>[]> {
  return ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
}

async function metricsText(child: ServiceChild): Promise<string> {
  const m = await httpGet(`${child.metricsUrl}/metrics`);
  const r = await httpGet(`${child.metricsUrl}/readyz`);
  return `${m.body}\n${r.body}`;
}

describe('password authentication and secret hygiene', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  beforeAll(async () => {
    server = await RedisServerProcess.start({ password: PASSWORD });
    admin = new Redis({ host: server.host, port: server.port, password: PASSWORD });
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  it('both services work with the password as REDIS_PASSWORD and inside REDIS_URL; it never appears in output or /metrics', async () => {
    await admin.flushall();
    await seed(admin, ['AUTHUSDT']);
    const at = await service('allocation-target', { REDIS_HOST: server.host, REDIS_PORT: String(server.port), REDIS_PASSWORD: PASSWORD, LOOP_INTERVAL_SEC: '0.5', LOG_LEVEL: 'debug' });
    const gov = await service('governor', { REDIS_URL: `redis://:${encodeURIComponent(PASSWORD)}@${server.host}:${server.port}/0`, GOV_CONSUMER_NAME: 'sec', LOG_LEVEL: 'debug' });
    await Promise.all([waitReady(at), waitReady(gov)]);
    await admin.xadd(PLAN_STREAM, '*', ...plan('auth-1', 'AUTHUSDT'));
    await waitFor('a permit', async () => (await admin.exists('quantum:permit:auth-1')) === 1);
    await waitFor('a proposal', async () => (await admin.xlen(PROPOSALS)) > 0);
    const scraped = (await metricsText(at)) + (await metricsText(gov));
    await Promise.all([at.kill('SIGTERM'), gov.kill('SIGTERM')]);
    noSecret(at.output() + gov.output() + scraped, PASSWORD);
  });

  it('a wrong password: both stay up, not ready (WRONGPASS), and neither password appears anywhere', async () => {
    const at = await service('allocation-target', { REDIS_URL: `redis://${server.host}:${server.port}`, REDIS_PASSWORD: WRONG, LOG_LEVEL: 'debug' });
    const gov = await service('governor', { REDIS_URL: `redis://default:${encodeURIComponent(WRONG)}@${server.host}:${server.port}`, LOG_LEVEL: 'debug' });
    // allocation-target's /readyz names WRONGPASS (the governor's too: service-http.test.ts).
    await waitFor('allocation-target /readyz 503 with WRONGPASS', async () => {
      const r = await httpGet(`${at.metricsUrl}/readyz`);
      return r.status === 503 && /WRONGPASS/.test(r.body);
    }, 20_000);
    await waitFor('governor /readyz 503', async () => (await readyStatus(gov)) === 503, 20_000);
    await sleep(1500); // a few reconnect attempts
    expect(at.process.exitCode).toBeNull();
    expect(gov.process.exitCode).toBeNull();
    const scraped = (await metricsText(at)) + (await metricsText(gov));
    await Promise.all([at.kill('SIGTERM'), gov.kill('SIGTERM')]);
    expect(at.output() + gov.output()).toMatch(/WRONGPASS/);
    noSecret(at.output() + gov.output() + scraped, WRONG, PASSWORD);
  });

  it.each([
    ['an unencoded "/" in the password', `redis://:${PASSWORD}@127.0.0.1:1`],
    ['a malformed %-escape', `redis://:%zz${PASSWORD.replace(/[%/#@]/g, '')}@127.0.0.1:1`],
    ['a "/" and "@" in the password (parses as a database path)', `redis://u:${PASSWORD}@127.0.0.1:1`],
  ])('governor: an unusable REDIS_URL (%s) exits 78 naming REDIS_URL, password not shown', async (_what, url) => {
    const gov = await service('governor', { REDIS_URL: url });
    expect(await gov.exited).toBe(78);
    expect(gov.stderr()).toMatch(/REDIS_URL/);
    noSecret(gov.output(), PASSWORD, PASSWORD.replace(/[%/#@]/g, ''), PASSWORD.split('/')[1]!);
  });

  it('allocation-target: an unusable REDIS_URL never shows the password', async () => {
    const at = await service('allocation-target', { REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1` });
    await at.exited;
    expect(at.stderr()).toMatch(/REDIS_URL/);
    noSecret(at.output(), PASSWORD, PASSWORD.split('/')[1]!);
  });

  it('allocation-target: an unusable REDIS_URL exits 78 (like the governor)', async () => {
    const at = await service('allocation-target', { REDIS_URL: `redis://:${PASSWORD}@127.0.0.1:1` });
    expect(await at.exited).toBe(78);
  });
});

/** The two `ACL SETUSER` lines of docs/security.md, as documented. */
function documentedAcl(user: 'allocation-target' | 'governor'): string[] {
  const doc = readFileSync(join(ROOT, 'docs/security.md'), 'utf8');
  const line = doc.split('\n').find((l) => l.startsWith(`ACL SETUSER ${user} `));
  if (!line) throw new Error(`docs/security.md has no "ACL SETUSER ${user}" line`);
  return line.trim().split(/\s+/).slice(2); // [user, ...rules]
}

describe('per-service ACL users exactly as documented in docs/security.md', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  const pw = { 'allocation-target': 'at-Pw-7f3', governor: 'gov-Pw-9k1' };

  beforeAll(async () => {
    server = await RedisServerProcess.start({ password: 'admin-pw' });
    admin = new Redis({ host: server.host, port: server.port, password: 'admin-pw' });
    for (const user of ['allocation-target', 'governor'] as const) {
      const [name, ...rules] = documentedAcl(user);
      await admin.call('ACL', 'SETUSER', name!, ...rules.map((r) => (r.startsWith('>CHANGE-ME') ? `>${pw[user]}` : r)));
    }
    await admin.call('ACL', 'LOG', 'RESET');
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  function url(user: 'allocation-target' | 'governor'): string {
    return `redis://${user}:${pw[user]}@${server.host}:${server.port}`;
  }

  it('both services work end to end under their ACL; ACL LOG stays empty', async () => {
    const symbols = ['ACLAUSDT', 'ACLBUSDT', 'ACLCUSDT'];
    await seed(admin, symbols);
    await admin.set('quantum:kill', '0');
    // the group exists with entries pending for the governor's own name (recovered with XCLAIM)
    // and for a vanished consumer (taken over with XAUTOCLAIM)
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-own', 'ACLAUSDT'));
    await admin.xreadgroup('GROUP', 'governor', 'gov-acl', 'COUNT', '10', 'STREAMS', PLAN_STREAM, '>');
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-ghost', 'ACLBUSDT'));
    await admin.xreadgroup('GROUP', 'governor', 'ghost', 'COUNT', '10', 'STREAMS', PLAN_STREAM, '>');

    const at = await service('allocation-target', { REDIS_URL: url('allocation-target'), LOOP_INTERVAL_SEC: '0.5' });
    const gov = await service('governor', { REDIS_URL: url('governor'), GOV_CONSUMER_NAME: 'gov-acl', GOV_CLAIM_IDLE_MS: '1000', GOV_BLOCK_MS: '500' });
    await Promise.all([waitReady(at), waitReady(gov)]);
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-ok', 'ACLCUSDT'));
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-ok', 'ACLCUSDT')); // duplicate
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-blocked', 'ACLCUSDT', { kill_score: '0.95' }));
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-skip', 'ACLCUSDT', { decision: 'SKIP' }));
    await admin.xadd(PLAN_STREAM, '*', ...plan('acl-bad', 'ACLCUSDT', { qty: 'abc' }));
    const evs = await waitFor('7 decisions', async () => {
      const e = await events(admin);
      return e.length >= 7 ? e : undefined;
    }, 30_000);
    const byPlan = Object.fromEntries(evs.map((e) => [`${e['plan_id']}:${e['outcome']}`, e['reason']]));
    expect(byPlan).toMatchObject({
      'acl-own:permitted': 'ok', 'acl-ghost:permitted': 'ok', 'acl-ok:permitted': 'ok', 'acl-ok:duplicate': 'already_decided',
      'acl-blocked:blocked': 'kill_score_critical_non_close', 'acl-skip:skipped': 'decision_skip', 'acl-bad:dead_letter': 'invalid_qty',
    });
    expect(await admin.xlen(DLQ)).toBe(1);
    expect(JSON.parse((await admin.get('quantum:permit:acl-ok'))!)).toMatchObject({ granted: true, eff_action: 'DOWNSIZE' });
    expect(Number(((await admin.xpending(PLAN_STREAM, 'governor')) as [number])[0])).toBe(0);

    await waitFor('proposals for every symbol', async () => {
      const hashes = await Promise.all(symbols.map((s) => admin.hgetall(`quantum:allocation:target:proposed:${s}`)));
      return hashes.every((h) => h['reason'] === 'ok' && h['multiplier'] === '0.7000');
    });
    expect(await admin.xlen(PROPOSALS)).toBeGreaterThanOrEqual(3);

    // graceful stop (CLIENT UNBLOCK of the governor's blocked read) under the ACL
    expect(await gov.kill('SIGTERM')).toBe(0);
    expect(await at.kill('SIGTERM')).toBe(0);
    expect(gov.output() + at.output()).not.toMatch(/NOPERM/);
    expect(await admin.call('ACL', 'LOG')).toEqual([]);
  });

  it('operations outside each ACL are refused (NOPERM)', async () => {
    const as = (user: 'allocation-target' | 'governor') => new Redis({ host: server.host, port: server.port, username: user, password: pw[user], maxRetriesPerRequest: 0 });
    const at = as('allocation-target');
    const gov = as('governor');
    try {
      const refused: [Redis, string[]][] = [
        [at, ['FLUSHALL']], [at, ['CONFIG', 'GET', '*']], [at, ['KEYS', '*']], [at, ['ACL', 'LIST']],
        [at, ['SET', 'quantum:kill', '1']], [at, ['GET', 'quantum:permit:x']], [at, ['XADD', PLAN_STREAM, '*', 'a', 'b']],
        [at, ['EVAL', "return redis.call('SET', 'quantum:kill', '1')", '0']], [at, ['HSET', 'quantum:other:x', 'a', 'b']],
        [gov, ['FLUSHALL']], [gov, ['CONFIG', 'GET', '*']], [gov, ['KEYS', '*']],
        [gov, ['SET', 'quantum:kill', '1']], [gov, ['HSET', 'quantum:capital:efficiency:X', 'efficiency_score', '1']],
        [gov, ['HSET', 'quantum:allocation:target:X', 'target_usd', '1']], [gov, ['GET', 'quantum:permit:x']],
        [gov, ['EVAL', "return redis.call('SET', 'quantum:kill', '1')", '0']], [gov, ['XRANGE', EVENTS, '-', '+']],
      ];
      for (const [client, [cmd, ...args]] of refused) {
        // top level: "NOPERM ..."; inside a script: "ERR The user executing the script can't run this command ..." (Redis 7.0), "ERR ACL failure in script ..." (Redis 7.2+, Valkey)
        await expect(client.call(cmd!, ...args)).rejects.toThrow(/NOPERM|user executing the script can't|ACL failure in script/);
      }
      expect(await admin.get('quantum:kill')).not.toBe('1');
    } finally {
      at.disconnect();
      gov.disconnect();
    }
  });
});

describe('TLS against a TLS-only redis-server with a throwaway CA', () => {
  let tls: TlsMaterial;
  let redis: TlsRedis;
  let admin: Redis;
  beforeAll(async () => {
    tls = makeTlsMaterial();
    redis = await startTlsOnlyRedis(tls);
    admin = new Redis({ host: '127.0.0.1', port: redis.tlsPort, tls: { ca: readFileSync(tls.caFile), servername: 'localhost' } });
  });
  afterAll(async () => {
    admin?.disconnect();
    await redis?.stop();
  });

  it('the plain port is closed', async () => {
    const plain = new Redis({ host: '127.0.0.1', port: redis.server.port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    plain.on('error', () => undefined);
    await expect(plain.connect()).rejects.toThrow();
    plain.disconnect();
  });

  it('both services connect and work: rediss:// (allocation-target) and REDIS_TLS=true + host/port (governor), and the other way round', async () => {
    await seed(admin, ['TLS0USDT', 'TLS1USDT']);
    const variants: [Record<string, string>, Record<string, string>][] = [
      [
        { REDIS_URL: `rediss://localhost:${redis.tlsPort}`, REDIS_TLS_CA_FILE: tls.caFile },
        { REDIS_HOST: 'localhost', REDIS_PORT: String(redis.tlsPort), REDIS_TLS: 'true', REDIS_TLS_CA_FILE: tls.caFile },
      ],
      [
        { REDIS_HOST: '127.0.0.1', REDIS_PORT: String(redis.tlsPort), REDIS_TLS: 'true', REDIS_TLS_CA_FILE: tls.caFile },
        { REDIS_URL: `rediss://localhost:${redis.tlsPort}/0`, REDIS_TLS_CA_FILE: tls.caFile },
      ],
    ];
    for (const [i, [atEnv, govEnv]] of variants.entries()) {
      const symbol = `TLS${i}USDT`;
      await admin.del(`quantum:allocation:target:proposed:${symbol}`);
      const at = await service('allocation-target', { ...atEnv, LOOP_INTERVAL_SEC: '0.5' });
      const gov = await service('governor', { ...govEnv, GOV_CONSUMER_NAME: `tls${i}`, GOV_BLOCK_MS: '500' });
      await Promise.all([waitReady(at), waitReady(gov)]);
      await admin.xadd(PLAN_STREAM, '*', ...plan(`tls-${i}`, symbol));
      await waitFor('a TLS permit', async () => (await admin.exists(`quantum:permit:tls-${i}`)) === 1);
      await waitFor('a TLS proposal', async () => (await admin.hget(`quantum:allocation:target:proposed:${symbol}`, 'reason')) === 'ok');
      const clients = String(await admin.client('LIST'));
      expect(clients).toMatch(/name=governor:[^ ]+:command/);
      expect(await gov.kill('SIGTERM')).toBe(0);
      expect(await at.kill('SIGTERM')).toBe(0);
    }
  });

  it('a wrong CA: each service stays up, not ready, with the certificate error in /readyz and the log', async () => {
    const at = await service('allocation-target', { REDIS_URL: `rediss://localhost:${redis.tlsPort}`, REDIS_TLS_CA_FILE: tls.otherCaFile });
    const gov = await service('governor', { REDIS_HOST: 'localhost', REDIS_PORT: String(redis.tlsPort), REDIS_TLS: 'true', REDIS_TLS_CA_FILE: tls.otherCaFile });
    // allocation-target's /readyz names the certificate problem (watchConnection reports the first
    // connection error; the governor uses it too).
    const body = await waitFor('allocation-target not ready with a certificate reason', async () => {
      const r = await httpGet(`${at.metricsUrl}/readyz`).catch(() => undefined);
      return r && r.status === 503 && /certificate/i.test(r.body) ? r.body : undefined;
    }, 20_000);
    expect(body).toContain('redis: self-signed certificate in certificate chain');
    await waitFor('governor /readyz 503', async () => (await readyStatus(gov)) === 503);
    await sleep(2000);
    expect(at.process.exitCode).toBeNull();
    expect(gov.process.exitCode).toBeNull();
    expect(await readyStatus(gov)).toBe(503);
    expect(at.stdout()).toMatch(/"redis connection error".*certificate/);
    expect(gov.stdout()).toMatch(/"redis connection error".*certificate/);
  });

  it('plain redis:// to the TLS port: stays up, not ready', async () => {
    const gov = await service('governor', { REDIS_URL: `redis://127.0.0.1:${redis.tlsPort}` });
    await sleep(3000);
    expect(gov.process.exitCode).toBeNull();
    expect(await readyStatus(gov)).toBe(503);
  });

  it('an unreadable CA file: the governor exits 78 naming the file', async () => {
    const gov = await service('governor', { REDIS_URL: `rediss://localhost:${redis.tlsPort}`, REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(await gov.exited).toBe(78);
    expect(gov.stderr()).toContain('/nonexistent/ca.pem');
  });

  it('an unreadable CA file: allocation-target exits 78', async () => {
    const at = await service('allocation-target', { REDIS_URL: `rediss://localhost:${redis.tlsPort}`, REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(await at.exited).toBe(78);
    expect(at.stderr()).toContain('/nonexistent/ca.pem');
  });
});

describe('METRICS_HOST', () => {
  let server: RedisServerProcess;
  beforeAll(async () => {
    server = await RedisServerProcess.start();
  });
  afterAll(() => server?.stop());

  it.each(['allocation-target', 'governor'] as const)('%s: 127.0.0.1 binds loopback only; 0.0.0.0 binds every address', async (app) => {
    for (const [host, expected] of [['127.0.0.1', '0100007F'], ['0.0.0.0', '00000000']] as const) {
      const child = await service(app, { REDIS_URL: server.url, METRICS_HOST: host });
      await waitReady(child);
      expect(listeningAddresses(child.metricsPort)).toEqual([expected]);
      expect(await child.kill('SIGTERM')).toBe(0);
    }
  });
});
