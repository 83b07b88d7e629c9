/**
 * CHAOS — an operator's worst day. The built services (child processes) against throwaway
 * redis-servers, one fault per test: Redis refusing writes (OOM), poison entries (a 512 MiB
 * value, a 100 MB value, thousands of fields), a connection that stops answering (a proxy that
 * stops forwarding), per-symbol series of idle symbols, an evicting `maxmemory-policy`, plans
 * trimmed before the governor read them, SIGTERM while Redis is down, allocation-target after
 * Redis accepts writes again, and a Redis that refuses the very first connection. Each asserts
 * what must hold whatever the fault: every valid plan exactly one decision, nothing valid
 * dead-lettered, nothing pending at the end, and the fault's own bound.
 */
import Redis from 'ioredis';
import { FreezableProxy, findFreePort, RedisServerProcess } from '@quantum/redis-streams/testing';
import { ensureBuilt, fieldsToMap, httpGet, readyStatus, sleep, startService, waitFor, waitReady, type ServiceChild } from './support';
import { recordResult } from './results';

const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';
const PROPOSALS = 'quantum:stream:allocation.target.proposed';
const MiB = 1024 * 1024;

const UNLIMITED = {
  GOV_MAX_EXEC_PER_HOUR: '0', GOV_MAX_EXEC_PER_5MIN: '0', GOV_SYMBOL_COOLDOWN_SECONDS: '0',
  GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0', GOV_MAX_NOTIONAL_PER_DAY_USD: '0',
};

/** An intent-bridge open (UPSTREAM.md's shape), with its own plan_id and symbol. */
function plan(id: string, symbol = 'HDUSDT'): string[] {
  return ['plan_id', id, 'symbol', symbol, 'action', 'OPEN_PROPOSED', 'decision', 'EXECUTE', 'side', 'BUY', 'qty', '1', 'price', '100', 'timestamp', '1700000000'];
}

function adminClient(server: RedisServerProcess): Redis {
  const redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  return redis;
}

/** The first sample of `name` (with its labels, if given) on the service's /metrics. */
async function metric(child: ServiceChild, name: string): Promise<number | undefined> {
  const body = (await httpGet(`${child.metricsUrl}/metrics`, 5000)).body;
  const line = body.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Series of `name` on the service's /metrics. */
async function seriesCount(child: ServiceChild, name: string): Promise<number> {
  const body = (await httpGet(`${child.metricsUrl}/metrics`, 10_000)).body;
  return body.split('\n').filter((l) => l.startsWith(`${name}{`)).length;
}

async function readyBody(child: ServiceChild): Promise<string> {
  try {
    return (await httpGet(`${child.metricsUrl}/readyz`, 1000)).body;
  } catch {
    return '';
  }
}

interface Outcome {
  readonly entries: number;
  /** Stream entries with no decision event, and with more than one. */
  readonly undecided: number;
  readonly decidedTwice: number;
  readonly outcomes: Record<string, number>;
  readonly dlq: number;
  readonly pending: number;
}

/** Events per stream entry, outcomes, DLQ length and the group's pending count. */
async function tally(redis: Redis, entryIds?: readonly string[]): Promise<Outcome & { byEntry: Map<string, Record<string, string>[]> }> {
  const ids = entryIds ?? ((await redis.xrange(PLAN_STREAM, '-', '+')) as [string, string[]][]).map(([id]) => id);
  const byEntry = new Map<string, Record<string, string>[]>();
  const outcomes: Record<string, number> = {};
  for (const [, f] of (await redis.xrange(EVENTS, '-', '+')) as [string, string[]][]) {
    const e = fieldsToMap(f);
    byEntry.set(e['entry_id'] ?? '', [...(byEntry.get(e['entry_id'] ?? '') ?? []), e]);
    outcomes[e['outcome'] ?? '?'] = (outcomes[e['outcome'] ?? '?'] ?? 0) + 1;
  }
  return {
    entries: ids.length,
    undecided: ids.filter((id) => !byEntry.has(id)).length,
    decidedTwice: [...byEntry.values()].filter((list) => list.length > 1).length,
    outcomes,
    dlq: await redis.xlen(DLQ),
    pending: Number(((await redis.xpending(PLAN_STREAM, 'governor')) as [number])[0]),
    byEntry,
  };
}

async function waitDecided(redis: Redis, count: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(`${count} decisions and nothing pending`, async () => {
    const [events, pending] = await Promise.all([redis.xlen(EVENTS), redis.xpending(PLAN_STREAM, 'governor') as Promise<[number]>]);
    return events >= count && Number(pending[0]) === 0;
  }, timeoutMs, 200);
}

describe('CHAOS hardening', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  const children: ServiceChild[] = [];
  const proxies: FreezableProxy[] = [];

  beforeAll(() => ensureBuilt(), 300_000);
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill('SIGKILL');
    for (const p of proxies.splice(0)) await p.stop();
    admin?.disconnect();
    await server?.stop();
  });

  async function redisWith(extraArgs: string[] = []): Promise<void> {
    server = await RedisServerProcess.start({ extraArgs });
    admin = adminClient(server);
  }

  async function start(app: 'governor' | 'allocation-target', env: Record<string, string> = {}): Promise<ServiceChild> {
    const base: Record<string, string> = app === 'governor' ? { GOV_CLAIM_IDLE_MS: '1000', GOV_BLOCK_MS: '500', ...UNLIMITED } : { LOOP_INTERVAL_SEC: '1' };
    const child = await startService(app, { REDIS_URL: server.url, LOG_LEVEL: 'info', ...base, ...env });
    children.push(child);
    return child;
  }

  it('Redis refuses writes (OOM under noeviction) for 3 s: the plans in hand wait, none is dead-lettered, the gauges stay true', async () => {
    await redisWith();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    const gov = await start('governor');
    await waitReady(gov);
    // the plans and the refusal in one atomic step: the governor reads them and cannot write
    const multi = admin.multi();
    for (let i = 0; i < 49; i++) multi.xadd(PLAN_STREAM, '*', ...plan(`oom-${i}`, `OOM${i}USDT`));
    multi.config('SET', 'maxmemory', '1');
    await multi.exec();
    const pendingDuring = await waitFor('the pending gauge shows the plans in hand', async () => {
      const n = await metric(gov, 'governor_pending_messages');
      return n !== undefined && n > 0 ? n : undefined;
    }, 10_000);
    await sleep(3000);
    const eventsDuring = await admin.xlen(EVENTS);
    await admin.config('SET', 'maxmemory', '0');
    await waitDecided(admin, 49);
    const t = await tally(admin);
    recordResult('hardening: OOM 3 s', { pendingDuring, eventsDuring, ...t, byEntry: undefined });
    expect(eventsDuring).toBe(0);
    expect(pendingDuring).toBe(49);
    expect(t).toMatchObject({ entries: 49, undecided: 0, decidedTwice: 0, outcomes: { permitted: 49 }, dlq: 0, pending: 0 });
    expect(await readyStatus(gov)).toBe(200);
  });

  it('poison entries (512 MiB and 100 MB values, 4,000 fields) end in one dead letter each, bounded; the plans around them are decided', async () => {
    await redisWith(['--proto-max-bulk-len', '1gb']);
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    const gov = await start('governor');
    await waitReady(gov);
    const manyFields = (withPlan: boolean) => {
      const f = withPlan ? plan('wide-valid', 'WIDEUSDT') : ['symbol', 'WIDEUSDT'];
      for (let i = 0; i < 4000; i++) f.push(`x${i}`, '1');
      return f;
    };
    const ids: Record<string, string> = {};
    const add = async (label: string, fields: (string | Buffer)[]) => (ids[label] = (await admin.xadd(PLAN_STREAM, '*', ...(fields as string[]))) as string);
    await add('before', plan('before'));
    await add('huge', [...plan('huge', 'HUGEUSDT'), 'blob', Buffer.alloc(512 * MiB, 0x61) as unknown as string]);
    await add('large', [...plan('large', 'LARGEUSDT'), 'blob', Buffer.alloc(100_000_000, 0x62) as unknown as string]);
    await add('wide', manyFields(false));
    await add('wide-valid', manyFields(true));
    await add('after', plan('after', 'AFTERUSDT'));
    await waitDecided(admin, 6, 120_000);
    const t = await tally(admin, Object.values(ids));
    const outcome = (label: string) => {
      const e = t.byEntry.get(ids[label]!)?.[0];
      return `${e?.['outcome']}/${e?.['reason']}`;
    };
    const dlq = ((await admin.xrange(DLQ, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
    const dlqBytes = Number(await admin.call('MEMORY', 'USAGE', DLQ));
    const bySource = new Map(dlq.map((d) => [d['dlq_entry_id'], d]));
    recordResult('hardening: poison entries', { outcomes: Object.fromEntries(Object.keys(ids).map((k) => [k, outcome(k)])), dlqBytes, restarts: 0 });
    expect(t).toMatchObject({ undecided: 0, decidedTwice: 0, pending: 0, dlq: 3 });
    expect(Object.fromEntries(Object.keys(ids).map((k) => [k, outcome(k)]))).toEqual({
      before: 'permitted/ok', huge: 'dead_letter/entry_too_large', large: 'dead_letter/entry_too_large',
      wide: 'dead_letter/missing_plan_id', 'wide-valid': 'permitted/ok', after: 'permitted/ok',
    });
    const bytes = (fields: string[], blob: number) => String(fields.reduce((n, f) => n + Buffer.byteLength(f), 0) + 'blob'.length + blob);
    expect(bySource.get(ids['huge'])).toMatchObject({ plan_id: 'huge', dlq_error: 'entry_too_large', dlq_original_fields: '9', dlq_original_bytes: bytes(plan('huge', 'HUGEUSDT'), 512 * MiB) });
    expect(bySource.get(ids['large'])).toMatchObject({ dlq_original_bytes: bytes(plan('large', 'LARGEUSDT'), 100_000_000) });
    expect(bySource.get(ids['wide'])).toMatchObject({ dlq_error: 'missing_plan_id', dlq_original_fields: '4001' });
    expect(bySource.get(ids['huge'])!['blob']!.length).toBeLessThanOrEqual(1024);
    expect(dlqBytes).toBeLessThan(MiB);
    // the same process all along, ready
    expect(gov.process.exitCode).toBeNull();
    expect(await readyStatus(gov)).toBe(200);
  }, 300_000);

  it('a connection that stops answering: both services 503 within 10 s, reconnect, and resume without loss', async () => {
    await redisWith();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    const proxy = await FreezableProxy.start(server.host, server.port);
    proxies.push(proxy);
    const now = Math.floor(Date.now() / 1000);
    await admin.hset('quantum:allocation:target:BHUSDT', { target_usd: '1000', confidence: '0.9', timestamp: String(now), mode: 'live' });
    const gov = await start('governor', { REDIS_URL: proxy.url });
    const alloc = await start('allocation-target', { REDIS_URL: proxy.url });
    await waitReady(gov);
    await waitReady(alloc);
    for (let i = 0; i < 20; i++) await admin.xadd(PLAN_STREAM, '*', ...plan(`bh-a${i}`, `BH${i}USDT`));
    await waitDecided(admin, 20);

    proxy.freeze();
    const frozenAt = Date.now();
    const notReady = async (c: ServiceChild) => {
      await waitFor(`${c.app} /readyz 503`, async () => (await readyStatus(c)) === 503, 15_000, 100);
      return Date.now() - frozenAt;
    };
    const [govMs, allocMs] = await Promise.all([notReady(gov), notReady(alloc)]);
    const govReason = await readyBody(gov);
    // plans written meanwhile, straight to Redis
    for (let i = 0; i < 20; i++) await admin.xadd(PLAN_STREAM, '*', ...plan(`bh-b${i}`, `BH${i}USDT`));
    await sleep(Math.max(0, 15_000 - (Date.now() - frozenAt)));
    proxy.thaw();
    const thawedAt = Date.now();
    await waitReady(gov, 30_000);
    await waitReady(alloc, 30_000);
    const readyAfterMs = Date.now() - thawedAt;
    await waitDecided(admin, 40);
    const t = await tally(admin);
    recordResult('hardening: black hole 15 s', { governorNotReadyMs: govMs, allocationNotReadyMs: allocMs, readyAfterThawMs: readyAfterMs, govReason, ...t, byEntry: undefined });
    expect(govMs).toBeLessThan(10_000);
    expect(allocMs).toBeLessThan(10_000);
    expect(govReason).toMatch(/hung|not answer|timed out|timeout/i);
    expect(t).toMatchObject({ entries: 40, undecided: 0, decidedTwice: 0, outcomes: { permitted: 40 }, dlq: 0, pending: 0 });
  }, 120_000);

  it('per-symbol series of idle symbols are removed (METRICS_SYMBOL_IDLE_SEC)', async () => {
    await redisWith();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    const gov = await start('governor', { METRICS_SYMBOL_IDLE_SEC: '3' });
    await waitReady(gov);
    const pipe = admin.pipeline();
    for (let i = 0; i < 2000; i++) pipe.xadd(PLAN_STREAM, '*', ...plan(`idle-${i}`, `ID${i}USDT`));
    await pipe.exec();
    await waitDecided(admin, 2000);
    const during = await seriesCount(gov, 'quantum_govern_allow_total');
    await sleep(3500);
    const after = await seriesCount(gov, 'quantum_govern_allow_total');
    await sleep(1100); // scrapes less than 1 s apart share one render
    // a symbol trading again gets its series back
    await admin.xadd(PLAN_STREAM, '*', ...plan('idle-again', 'ID7USDT'));
    await waitDecided(admin, 2001);
    const again = await seriesCount(gov, 'quantum_govern_allow_total');
    recordResult('hardening: idle series', { during, after, again });
    expect({ during, after, again }).toEqual({ during: 2000, after: 0, again: 1 });
  }, 120_000);

  it('an evicting maxmemory-policy: the governor is not ready and decides nothing, allocation-target warns; noeviction: decided', async () => {
    await redisWith(['--maxmemory-policy', 'allkeys-lru']);
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    const gov = await start('governor');
    const alloc = await start('allocation-target');
    await waitFor('governor /readyz names the policy', async () => /maxmemory-policy is allkeys-lru/.test(await readyBody(gov)));
    await waitFor('allocation-target warns', async () => /maxmemory-policy is allkeys-lru/.test(alloc.stdout()));
    for (let i = 0; i < 10; i++) await admin.xadd(PLAN_STREAM, '*', ...plan(`ev-${i}`, `EV${i}USDT`));
    await sleep(2000);
    const eventsWhileEvicting = await admin.xlen(EVENTS);
    expect(await readyStatus(gov)).toBe(503);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await waitReady(gov, 15_000);
    await waitDecided(admin, 10);
    // an operator who insists
    await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
    const insisting = await start('governor', { GOV_ALLOW_EVICTION: 'true', GOV_CONSUMER_NAME: 'insisting' });
    await waitReady(insisting);
    const t = await tally(admin);
    recordResult('hardening: eviction policy', { eventsWhileEvicting, ...t, byEntry: undefined });
    expect(eventsWhileEvicting).toBe(0);
    expect(insisting.stdout()).toMatch(/maxmemory-policy is volatile-lru.*GOV_ALLOW_EVICTION=true/);
    expect(t).toMatchObject({ entries: 10, undecided: 0, decidedTwice: 0, dlq: 0, pending: 0 });
  }, 120_000);

  it('plans trimmed before the governor read them are counted and logged with their id range; the lag gauge stays true', async () => {
    await redisWith();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    let gov = await start('governor');
    await waitReady(gov);
    await gov.kill('SIGTERM');
    const ids: string[] = [];
    const pipe = admin.pipeline();
    for (let i = 0; i < 300; i++) pipe.xadd(PLAN_STREAM, '*', ...plan(`tr-${i}`, `TR${i % 50}USDT`));
    for (const [, id] of (await pipe.exec()) ?? []) ids.push(id as string);
    await admin.xtrim(PLAN_STREAM, 'MAXLEN', 100);
    gov = await start('governor');
    await waitReady(gov);
    await waitDecided(admin, 100);
    const trimmed = await waitFor('trimmed counted', async () => {
      const n = await metric(gov, 'governor_trimmed_before_read_total');
      return n !== undefined && n > 0 ? n : undefined;
    });
    const lag = await waitFor('lag 0', async () => ((await metric(gov, 'governor_consumer_lag')) === 0 ? 0 : undefined));
    const t = await tally(admin);
    // the range: after the group's last delivered id, before the first entry still there
    const logged = gov.stdout().split('\n').find((l) => l.includes('before the group read them') && l.includes(ids[200]!) && l.includes('"count":200'));
    recordResult('hardening: trimmed unread', { trimmed, lag, logged, ...t, byEntry: undefined });
    expect(trimmed).toBe(200);
    expect(logged).toBeDefined();
    expect(t).toMatchObject({ entries: 100, undecided: 0, decidedTwice: 0, dlq: 0, pending: 0 });
  }, 120_000);

  it('SIGTERM while Redis is down: the governor exits 0 within 10 s', async () => {
    await redisWith();
    const gov = await start('governor');
    await waitReady(gov);
    await server.stop();
    await waitFor('not ready', async () => (await readyStatus(gov)) === 503);
    const started = Date.now();
    gov.process.kill('SIGTERM');
    const code = await gov.exited;
    const ms = Date.now() - started;
    recordResult('hardening: SIGTERM with Redis down', { code, ms });
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  }, 60_000);

  it('allocation-target runs its next loop within one LOOP_INTERVAL_SEC of Redis accepting writes again', async () => {
    await redisWith();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < 20; i++) await admin.hset(`quantum:allocation:target:RC${i}USDT`, { target_usd: '1000', confidence: '0.9', timestamp: String(now), mode: 'live' });
    const alloc = await start('allocation-target', { LOOP_INTERVAL_SEC: '2' });
    await waitReady(alloc);
    await admin.config('SET', 'maxmemory', '1');
    await waitFor('loop fails', async () => (await readyStatus(alloc)) === 503, 10_000);
    await sleep(10_000); // a backoff would have grown past the interval by now
    const before = await admin.xlen(PROPOSALS);
    await admin.config('SET', 'maxmemory', '0');
    const restoredAt = Date.now();
    await waitFor('a proposal written', async () => (await admin.xlen(PROPOSALS)) > before, 20_000, 50);
    const proposedAfterMs = Date.now() - restoredAt;
    await waitReady(alloc);
    recordResult('hardening: allocation-target after OOM', { proposedAfterMs, intervalMs: 2000 });
    expect(proposedAfterMs).toBeLessThanOrEqual(2000 + 1000);
  }, 60_000);

  it('a Redis that refuses the first connection: /readyz names the error in both services', async () => {
    const port = await findFreePort();
    const url = `redis://127.0.0.1:${port}`;
    const gov = await startService('governor', { REDIS_URL: url, LOG_LEVEL: 'warn' });
    const alloc = await startService('allocation-target', { REDIS_URL: url, LOG_LEVEL: 'warn' });
    children.push(gov, alloc);
    for (const c of [gov, alloc]) {
      const body = await waitFor(`${c.app} /readyz names the error`, async () => {
        const b = await readyBody(c);
        return /ECONNREFUSED/.test(b) ? b : undefined;
      }, 10_000);
      expect((JSON.parse(body) as { reasons: string[] }).reasons[0]).toMatch(/^redis: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    }
  }, 60_000);
});
