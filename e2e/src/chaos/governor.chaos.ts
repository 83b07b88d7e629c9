/**
 * CHAOS — governor. The built service (child process) against a throwaway append-only Redis:
 * 20 000 plans at a steady rate (5 % malformed of five kinds, 5 % repeated plan_ids, 10 % not
 * EXECUTE) while the harness kills the governor three times (kill -9, restart), kills Redis twice
 * (kill -9, restart from the AOF), kills the governor's client connections once (CLIENT KILL ID of
 * every `governor:*` connection) and stalls Redis once (DEBUG SLEEP 2). Then: every entry has
 * exactly one decision event, no plan_id has two permits, nothing pending, dead letters are
 * exactly the malformed entries, and the service is ready again by itself.
 * A second, short run: real limits and two replicas (one killed -9 mid-way): no limit exceeded.
 */
import Redis from 'ioredis';
import { RedisServerProcess } from '@quantum/redis-streams/testing';
import { ensureBuilt, fieldsToMap, readyStatus, sleep, startService, waitFor, type ServiceChild } from './support';
import { recordResult } from './results';

const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';

type Kind = 'malformed' | 'repeat' | 'skip' | 'exec';
type Value = string | Buffer;

/** Deterministic plan i: kind by i mod 100, malformed ones rotate over five kinds. */
function makePlan(i: number, prefix: string, symbols: number): { kind: Kind; fields: Value[] } {
  const r = i % 100;
  const symbol = `CH${i % symbols}USDT`;
  const base: Record<string, Value> = {
    plan_id: `${prefix}${i.toString(16).padStart(6, '0')}`, symbol, action: 'OPEN_PROPOSED', decision: 'EXECUTE',
    kill_score: '0.1', side: 'BUY', qty: '1', price: String(50 + (i % 200)), timestamp: '1700000000',
  };
  let kind: Kind = 'exec';
  if (r < 5) {
    kind = 'malformed';
    const m = Math.floor(i / 100) % 5;
    if (m === 0) delete base['plan_id'];
    else if (m === 1) base['qty'] = ['abc', 'NaN', '-1', '1e309', '0x10'][Math.floor(i / 500) % 5]!;
    else if (m === 2) base['side'] = 'B'.repeat(300); // oversized read field
    else if (m === 3) base['plan_id'] = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80 + (i % 64)]); // invalid UTF-8
    else base['qty'] = Buffer.from([0xc3, 0x28, 0xa0, 0xa1]);
  } else if (r < 10 && i >= 200) {
    kind = 'repeat';
    base['plan_id'] = `${prefix}${(i - 100 - r + 50).toString(16).padStart(6, '0')}`; // an earlier exec plan's id
  } else if (r < 20) {
    kind = 'skip';
    base['decision'] = r < 15 ? 'SKIP' : 'HOLD';
  }
  const fields: Value[] = [];
  for (const [k, v] of Object.entries(base)) fields.push(k, v);
  fields.push('chaos_kind', kind, 'chaos_i', String(i));
  return { kind, fields };
}

function adminClient(server: RedisServerProcess): Redis {
  const redis = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: null, retryStrategy: () => 100 });
  redis.on('error', () => undefined);
  return redis;
}

/** Background /readyz sampler: transitions with timestamps. */
function watchReady(get: () => ServiceChild | undefined) {
  const transitions: { t: number; status: number }[] = [];
  let stop = false;
  const done = (async () => {
    let last = -1;
    while (!stop) {
      const c = get();
      const status = c ? await readyStatus(c) : 0;
      if (status !== last) transitions.push({ t: Date.now(), status });
      last = status;
      await sleep(100);
    }
  })();
  return {
    transitions,
    /** ms from `from` to the first 200 at or after it. */
    readyAfter(from: number): number | undefined {
      const hit = transitions.find((x) => x.t >= from && x.status === 200);
      return hit ? hit.t - from : undefined;
    },
    async stop() {
      stop = true;
      await done;
    },
  };
}

interface Verdict {
  written: number;
  resent: number;
  planIdsWithoutExactlyOnePermit: number;
  outOfOrderPairs: number;
  byKind: Record<string, number>;
  outcomes: Record<string, number>;
  undecided: number;
  decidedTwice: number;
  plansPermittedTwice: number;
  wrongOutcome: { kind: string; outcome: string; reason: string; n: number }[];
  pending: number;
  dlq: number;
  dlqNotMalformed: number;
  malformedNotInDlq: number;
}

async function verify(redis: Redis): Promise<Verdict> {
  const plans = (await redis.xrange(PLAN_STREAM, '-', '+')) as [string, string[]][];
  // An XADD in flight when Redis was killed may have been applied and then resent by the writer's
  // client after the reconnect: the second copy of a chaos_i is 'resent' (its plan_id is decided).
  const seen = new Set<string>();
  let resent = 0;
  const kindOf = new Map(plans.map(([id, f]) => {
    const m = fieldsToMap(f);
    let kind = m['chaos_kind'] ?? '?';
    if (seen.has(m['chaos_i'] ?? '')) {
      resent++;
      if (kind !== 'malformed') kind = 'resent';
    }
    seen.add(m['chaos_i'] ?? '');
    return [id, kind];
  }));
  const events = ((await redis.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
  const perEntry = new Map<string, number>();
  const permits = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  const wrong = new Map<string, { kind: string; outcome: string; reason: string; n: number }>();
  // exec and its later repeat: one permitted, one duplicate — normally in stream order, but an entry
  // whose decision failed during a fault is retried after later entries were decided, so the
  // repeat may win (counted as outOfOrderPairs; still exactly one permit per plan_id).
  const allowed: Record<string, string[]> = { malformed: ['dead_letter'], repeat: ['duplicate', 'permitted'], resent: ['duplicate'], skip: ['skipped'], exec: ['permitted', 'duplicate'] };
  const execLike = new Map<string, string[]>(); // plan_id -> outcomes of its exec/repeat entries
  for (const e of events) {
    const id = e['entry_id'] ?? '';
    perEntry.set(id, (perEntry.get(id) ?? 0) + 1);
    outcomes[e['outcome'] ?? '?'] = (outcomes[e['outcome'] ?? '?'] ?? 0) + 1;
    if (e['outcome'] === 'permitted') permits.set(e['plan_id'] ?? '', (permits.get(e['plan_id'] ?? '') ?? 0) + 1);
    const kind = kindOf.get(id) ?? 'unknown-entry';
    if (kind === 'exec' || kind === 'repeat') execLike.set(e['plan_id'] ?? '', [...(execLike.get(e['plan_id'] ?? '') ?? []), `${kind}:${e['outcome']}`]);
    if (!allowed[kind]?.includes(e['outcome'] ?? '')) {
      const key = `${kind}/${e['outcome']}/${e['reason']}`;
      const w = wrong.get(key) ?? { kind, outcome: e['outcome'] ?? '', reason: e['reason'] ?? '', n: 0 };
      w.n++;
      wrong.set(key, w);
    }
  }
  const byKind: Record<string, number> = {};
  for (const k of kindOf.values()) byKind[k] = (byKind[k] ?? 0) + 1;
  const dlqEntries = ((await redis.xrange(DLQ, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
  const dlqIds = new Set(dlqEntries.map((d) => d['dlq_entry_id'] ?? ''));
  const malformed = plans.filter(([id]) => kindOf.get(id) === 'malformed').map(([id]) => id);
  const groups = [...execLike.values()];
  return {
    written: plans.length,
    resent,
    planIdsWithoutExactlyOnePermit: groups.filter((g) => g.filter((o) => o.endsWith(':permitted')).length !== 1).length,
    outOfOrderPairs: groups.filter((g) => g.includes('repeat:permitted')).length,
    byKind,
    outcomes,
    undecided: plans.filter(([id]) => !perEntry.has(id)).length,
    decidedTwice: [...perEntry.values()].filter((n) => n > 1).length,
    plansPermittedTwice: [...permits.values()].filter((n) => n > 1).length,
    wrongOutcome: [...wrong.values()],
    pending: Number(((await redis.xpending(PLAN_STREAM, 'governor')) as [number])[0]),
    dlq: dlqEntries.length,
    dlqNotMalformed: [...dlqIds].filter((id) => kindOf.get(id) !== 'malformed').length,
    malformedNotInDlq: malformed.filter((id) => !dlqIds.has(id)).length,
  };
}

async function waitAllDecided(redis: Redis, timeoutMs: number): Promise<number> {
  const started = Date.now();
  await waitFor('every plan decided and nothing pending', async () => {
    const [written, events, pending] = await Promise.all([redis.xlen(PLAN_STREAM), redis.xlen(EVENTS), redis.xpending(PLAN_STREAM, 'governor') as Promise<[number]>]);
    return events >= written && Number(pending[0]) === 0;
  }, timeoutMs, 250);
  return Date.now() - started;
}

const UNLIMITED = {
  GOV_MAX_EXEC_PER_HOUR: '0', GOV_MAX_EXEC_PER_5MIN: '0', GOV_SYMBOL_COOLDOWN_SECONDS: '0',
  GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0', GOV_MAX_NOTIONAL_PER_DAY_USD: '0',
};

describe('CHAOS governor', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  const children: ServiceChild[] = [];

  beforeAll(() => ensureBuilt(), 300_000);
  beforeEach(async () => {
    server = await RedisServerProcess.start({ appendOnly: true, extraArgs: ['--enable-debug-command', 'yes'] });
    admin = adminClient(server);
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill('SIGKILL');
    admin.disconnect();
    await server.stop();
  });

  async function governor(name: string, env: Record<string, string> = {}): Promise<ServiceChild> {
    const child = await startService('governor', {
      REDIS_URL: server.url, GOV_CONSUMER_NAME: name, LOG_LEVEL: 'warn', GOV_CLAIM_IDLE_MS: '1000', GOV_BLOCK_MS: '500', ...env,
    });
    children.push(child);
    return child;
  }

  it('20 000 plans through 3 governor kills, 2 Redis kills, a CLIENT KILL and a DEBUG SLEEP: exactly one decision each', async () => {
    const TOTAL = 20_000;
    const RATE = 800; // plans per second
    const TICK_MS = 50;
    let current = await governor('chaos', UNLIMITED);
    const ready = watchReady(() => current);
    await waitFor('governor ready', async () => (await readyStatus(current)) === 200);

    const plans = Array.from({ length: TOTAL }, (_, i) => makePlan(i, 'c', 200));
    const writer = { written: 0, errors: 0, started: Date.now(), ended: 0 };
    const writing = (async () => {
      const perTick = (RATE * TICK_MS) / 1000;
      let next = Date.now();
      for (let i = 0; i < TOTAL; i += perTick) {
        const pipe = admin.pipeline();
        for (const p of plans.slice(i, i + perTick)) pipe.xadd(PLAN_STREAM, '*', ...(p.fields as string[]));
        const replies = (await pipe.exec()) ?? [];
        for (const [err] of replies) if (err) writer.errors++;
        else writer.written++;
        next += TICK_MS;
        await sleep(Math.max(0, next - Date.now()));
      }
      writer.ended = Date.now();
    })();

    const faults: { fault: string; at: number; recoveredAt?: number; readyMs?: number }[] = [];
    const at = (ms: number) => sleep(Math.max(0, writer.started + ms - Date.now()));
    const killGovernor = async (label: string) => {
      const f = { fault: label, at: Date.now() } as (typeof faults)[number];
      faults.push(f);
      await current.kill('SIGKILL');
      await sleep(300);
      current = await governor('chaos', UNLIMITED);
      f.recoveredAt = Date.now();
    };
    const killRedis = async (label: string) => {
      const f = { fault: label, at: Date.now() } as (typeof faults)[number];
      faults.push(f);
      await server.kill();
      await sleep(1500);
      await server.restart();
      f.recoveredAt = Date.now();
    };

    await at(3_000);
    await killGovernor('governor kill -9 #1');
    await at(6_000);
    await killRedis('redis kill -9 #1 (1.5 s down)');
    await at(9_500);
    await killGovernor('governor kill -9 #2');
    await at(12_500);
    {
      const f = { fault: 'CLIENT KILL of every governor connection', at: Date.now() } as (typeof faults)[number];
      faults.push(f);
      const list = String(await admin.client('LIST'));
      const ids = [...list.matchAll(/^id=(\d+) .*? name=(governor:\S*)/gm)].map((m) => m[1]!);
      for (const id of ids) await admin.client('KILL', 'ID', id);
      f.fault += ` (${ids.length} connections)`;
      f.recoveredAt = Date.now();
    }
    await at(15_500);
    {
      const f = { fault: 'DEBUG SLEEP 2', at: Date.now() } as (typeof faults)[number];
      faults.push(f);
      const stall = new Redis({ host: server.host, port: server.port, maxRetriesPerRequest: 0 });
      await stall.call('DEBUG', 'SLEEP', '2');
      stall.disconnect();
      f.recoveredAt = Date.now();
    }
    await at(18_500);
    await killRedis('redis kill -9 #2 (1.5 s down)');
    await at(21_500);
    await killGovernor('governor kill -9 #3');
    await writing;

    const drainMs = await waitAllDecided(admin, 180_000);
    await waitFor('ready after the faults', async () => (await readyStatus(current)) === 200, 30_000);
    const lastFaultEnd = Math.max(...faults.map((f) => f.recoveredAt ?? 0));
    await sleep(500);
    await ready.stop();
    for (const f of faults) f.readyMs = ready.readyAfter(f.recoveredAt ?? f.at);

    const verdict = await verify(admin);
    const summary = {
      plans: TOTAL, rate_per_s: RATE, writer: { ...writer, seconds: (writer.ended - writer.started) / 1000 },
      drain_after_writer_ms: drainMs, ready_after_last_fault_ms: ready.readyAfter(lastFaultEnd),
      faults: faults.map((f) => ({ fault: f.fault, at_s: (f.at - writer.started) / 1000, ready_ms_after_recovery: f.readyMs })),
      ...verdict,
    };
    recordResult('governor', summary);
    console.log(`CHAOS governor:\n${JSON.stringify(summary, null, 2)}`);

    expect(verdict.written - verdict.resent).toBe(writer.written);
    expect(verdict.undecided).toBe(0);
    expect(verdict.decidedTwice).toBe(0);
    expect(verdict.plansPermittedTwice).toBe(0);
    expect(verdict.wrongOutcome).toEqual([]);
    expect(verdict.planIdsWithoutExactlyOnePermit).toBe(0);
    expect(verdict.pending).toBe(0);
    expect(verdict.dlq).toBe(verdict.byKind['malformed']);
    expect(verdict.dlqNotMalformed).toBe(0);
    expect(verdict.malformedNotInDlq).toBe(0);
    expect(Object.values(verdict.outcomes).reduce((a, b) => a + b, 0)).toBe(verdict.written);
    expect(await readyStatus(current)).toBe(200);
  });

  it('real limits, two replicas, one killed -9 mid-way: no per-symbol limit is exceeded', async () => {
    const LIMITS = {
      GOV_SYMBOL_COOLDOWN_SECONDS: '0', GOV_MAX_EXEC_PER_5MIN: '4', GOV_MAX_EXEC_PER_HOUR: '3',
      GOV_MAX_NOTIONAL_PER_TRADE_USDT: '200', GOV_MAX_NOTIONAL_PER_DAY_USD: '400',
    };
    const r1 = await governor('rep-1', LIMITS);
    let r2 = await governor('rep-2', LIMITS);
    await Promise.all([r1, r2].map((c) => waitFor('replica ready', async () => (await readyStatus(c)) === 200)));
    const TOTAL = 3000;
    const plans = Array.from({ length: TOTAL }, (_, i) => makePlan(i, 'l', 30));
    for (let i = 0; i < TOTAL; i += 100) {
      const pipe = admin.pipeline();
      for (const p of plans.slice(i, i + 100)) pipe.xadd(PLAN_STREAM, '*', ...(p.fields as string[]));
      await pipe.exec();
      if (i === 1500) {
        await r2.kill('SIGKILL');
        r2 = await governor('rep-2', LIMITS);
      }
      await sleep(50);
    }
    await waitAllDecided(admin, 120_000);
    const verdict = await verify(admin);
    const events = ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
    const planFields = new Map(((await admin.xrange(PLAN_STREAM, '-', '+')) as [string, string[]][]).map(([id, f]) => [id, fieldsToMap(f)]));
    const perSymbol = new Map<string, { permits: number; notional: number; maxTrade: number }>();
    const blocks: Record<string, number> = {};
    for (const e of events) {
      if (e['outcome'] === 'blocked') blocks[e['reason'] ?? ''] = (blocks[e['reason'] ?? ''] ?? 0) + 1;
      if (e['outcome'] !== 'permitted') continue;
      const p = planFields.get(e['entry_id'] ?? '')!;
      const notional = Number(p['qty']) * Number(p['price']);
      const s = perSymbol.get(e['symbol'] ?? '') ?? { permits: 0, notional: 0, maxTrade: 0 };
      s.permits++;
      s.notional += notional;
      s.maxTrade = Math.max(s.maxTrade, notional);
      perSymbol.set(e['symbol'] ?? '', s);
    }
    const worst = {
      maxPermitsPerSymbol: Math.max(...[...perSymbol.values()].map((s) => s.permits)),
      maxDayNotionalPerSymbol: Math.max(...[...perSymbol.values()].map((s) => s.notional)),
      maxTradeNotional: Math.max(...[...perSymbol.values()].map((s) => s.maxTrade)),
    };
    const consumers = ((await admin.xinfo('CONSUMERS', PLAN_STREAM, 'governor')) as unknown[][]).map((c) => String(c[1]));
    const summary = { plans: TOTAL, limits: LIMITS, consumers, symbols_with_permits: perSymbol.size, ...worst, blocks, outcomes: verdict.outcomes, undecided: verdict.undecided, decidedTwice: verdict.decidedTwice, pending: verdict.pending };
    recordResult('governor-limits', summary);
    console.log(`CHAOS governor, real limits, two replicas:\n${JSON.stringify(summary, null, 2)}`);
    expect(verdict.undecided).toBe(0);
    expect(verdict.decidedTwice).toBe(0);
    expect(verdict.plansPermittedTwice).toBe(0);
    expect(verdict.pending).toBe(0);
    expect(verdict.dlqNotMalformed + verdict.malformedNotInDlq).toBe(0);
    expect(worst.maxPermitsPerSymbol).toBeLessThanOrEqual(3);
    expect(worst.maxTradeNotional).toBeLessThanOrEqual(200);
    expect(worst.maxDayNotionalPerSymbol).toBeLessThanOrEqual(400);
    // the limits did bite (so "not exceeded" means something)
    expect(blocks['notional_per_trade_exceeded'] ?? 0).toBeGreaterThan(0);
    expect((blocks['hourly_limit_exceeded'] ?? 0) + (blocks['daily_limit_exceeded'] ?? 0)).toBeGreaterThan(0);
  });
});
