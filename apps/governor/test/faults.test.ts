/**
 * FAULT TESTS — the governor as a child process (sources run through tsx) against a throwaway
 * Redis: kill -9 of the governor mid-stream, two replicas on one group, Redis kill -9 + restart
 * (append-only) mid-stream. After each: every stream entry has exactly one decision event, no
 * plan_id has two permits, nothing is pending, outcome counts add up to the entries written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { findFreePort, startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { DLQ_STREAM, EVENTS_STREAM, fieldsToMap, PLAN_STREAM } from './helpers';

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../../..');
const MAIN = join(ROOT, 'apps/governor/src/main.ts');
const CLOSE = ['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25'];

interface Child {
  readonly process: ChildProcess;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

async function startGovernor(url: string, name: string, extraEnv: Record<string, string> = {}): Promise<Child> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--conditions=@quantum/source', '--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '', REDIS_URL: url, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1',
      GOV_CONSUMER_NAME: name, LOG_LEVEL: 'warn', GOV_CLAIM_IDLE_MS: '1000', GOV_BLOCK_MS: '500', ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  // ready when /readyz says so
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`governor exited: ${output}`);
    try {
      const reply = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (reply.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`governor not ready: ${output}`);
    await sleep(100);
  }
  return { process: child, output: () => output, exited };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** 5000 plans over 100 symbols: mostly SKIP, a quarter EXECUTE (some closes), a few malformed and duplicate plan_ids. */
function makePlans(n: number, seed: string): string[][] {
  const plans: string[][] = [];
  for (let i = 0; i < n; i++) {
    const symbol = `SYM${i % 100}USDT`;
    const r = (i * 7919) % 100;
    let planId = `${seed}${i.toString(16).padStart(8, '0')}`;
    if (r >= 97 && i > 10) planId = `${seed}${(i - 10).toString(16).padStart(8, '0')}`; // duplicate plan_id
    const decision = r < 70 ? 'SKIP' : 'EXECUTE';
    const action = r % 9 === 0 ? CLOSE[i % 4]! : 'OPEN_PROPOSED';
    const qty = r === 50 ? 'abc' : String(1 + (i % 3)); // a malformed one now and then
    plans.push(['plan_id', planId, 'symbol', symbol, 'action', action, 'decision', decision, 'kill_score', String((i % 10) / 10), 'side', 'BUY', 'qty', qty, 'price', '20', 'timestamp', '1700000000']);
  }
  return plans;
}

async function write(redis: Redis, plans: string[][]): Promise<void> {
  for (let i = 0; i < plans.length; i += 250) {
    const pipe = redis.pipeline();
    for (const p of plans.slice(i, i + 250)) pipe.xadd(PLAN_STREAM, '*', ...p);
    await pipe.exec();
  }
}

async function eventCount(redis: Redis): Promise<number> {
  return redis.xlen(EVENTS_STREAM);
}

async function waitForAll(redis: Redis, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const [written, events, pending] = await Promise.all([redis.xlen(PLAN_STREAM), eventCount(redis), redis.xpending(PLAN_STREAM, 'governor') as Promise<[number]>]);
      if (events >= written && Number(pending[0]) === 0) return;
    } catch {
      // Redis restarting
    }
    if (Date.now() > deadline) throw new Error('not all plans decided in time');
    await sleep(100);
  }
}

interface Verdict {
  written: number;
  outcomes: Record<string, number>;
  doubleDecided: number;
  doublePermits: number;
  undecided: number;
  pending: number;
  dlq: number;
}

async function verify(redis: Redis): Promise<Verdict> {
  const plans = (await redis.xrange(PLAN_STREAM, '-', '+')) as [string, string[]][];
  const events = ((await redis.xrange(EVENTS_STREAM, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
  const perEntry = new Map<string, number>();
  const permitsPerPlan = new Map<string, number>();
  const outcomes: Record<string, number> = {};
  for (const e of events) {
    perEntry.set(e['entry_id']!, (perEntry.get(e['entry_id']!) ?? 0) + 1);
    outcomes[e['outcome']!] = (outcomes[e['outcome']!] ?? 0) + 1;
    if (e['outcome'] === 'permitted') permitsPerPlan.set(e['plan_id']!, (permitsPerPlan.get(e['plan_id']!) ?? 0) + 1);
  }
  const pending = Number(((await redis.xpending(PLAN_STREAM, 'governor')) as [number])[0]);
  return {
    written: plans.length,
    outcomes,
    doubleDecided: [...perEntry.values()].filter((n) => n > 1).length,
    doublePermits: [...permitsPerPlan.values()].filter((n) => n > 1).length,
    undecided: plans.filter(([id]) => !perEntry.has(id)).length,
    pending,
    dlq: await redis.xlen(DLQ_STREAM),
  };
}

function expectClean(v: Verdict): void {
  expect(v.undecided).toBe(0);
  expect(v.doubleDecided).toBe(0);
  expect(v.doublePermits).toBe(0);
  expect(v.pending).toBe(0);
  expect(Object.values(v.outcomes).reduce((a, b) => a + b, 0)).toBe(v.written);
  expect(v.dlq).toBe(v.outcomes['dead_letter'] ?? 0);
  expect(v.outcomes['permitted']).toBeGreaterThan(0);
  expect(v.outcomes['blocked']).toBeGreaterThan(0);
  expect(v.outcomes['skipped']).toBeGreaterThan(0);
  expect(v.outcomes['duplicate']).toBeGreaterThan(0);
  expect(v.outcomes['dead_letter']).toBeGreaterThan(0);
}

describe('FAULT TESTS: governor child processes', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  const children: Child[] = [];

  beforeEach(async () => {
    server = await startThrowawayRedis({ appendOnly: true });
    redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    // the group exists before plans are written (created at $ otherwise)
    await redis.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
  });
  afterEach(async () => {
    for (const c of children.splice(0)) {
      if (c.process.exitCode === null && c.process.signalCode === null) {
        c.process.kill('SIGKILL');
        await c.exited;
      }
    }
    redis.disconnect();
    await server.stop();
  });

  it('kill -9 of the governor in the middle of 5000 plans, then start again', async () => {
    const first = await startGovernor(server.url, 'gov-a');
    children.push(first);
    const writing = write(redis, makePlans(5000, 'k'));
    while ((await eventCount(redis)) < 1000) await sleep(5);
    first.process.kill('SIGKILL');
    await first.exited;
    await writing;
    const killedAt = await eventCount(redis);
    const pendingAfterKill = Number(((await redis.xpending(PLAN_STREAM, 'governor')) as [number])[0]);
    const second = await startGovernor(server.url, 'gov-a');
    children.push(second);
    await waitForAll(redis);
    const verdict = await verify(redis);
    console.log('kill -9 governor:', JSON.stringify({ killedAtEvents: killedAt, pendingAfterKill, ...verdict }));
    expectClean(verdict);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('two replicas on the same group never both admit plans that break a limit', async () => {
    children.push(await startGovernor(server.url, 'gov-r1'), await startGovernor(server.url, 'gov-r2'));
    await write(redis, makePlans(5000, 'r'));
    await waitForAll(redis);
    const verdict = await verify(redis);
    // per symbol, at most one non-close permit (60 s cooldown) in this test
    const events = ((await redis.xrange(EVENTS_STREAM, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
    const plans = new Map(((await redis.xrange(PLAN_STREAM, '-', '+')) as [string, string[]][]).map(([id, f]) => [id, fieldsToMap(f)]));
    const openPermits = new Map<string, number>();
    const byConsumerHint = new Set<string>();
    for (const e of events) {
      if (e['outcome'] !== 'permitted') continue;
      if (CLOSE.includes(plans.get(e['entry_id']!)?.['action'] ?? '')) continue;
      openPermits.set(e['symbol']!, (openPermits.get(e['symbol']!) ?? 0) + 1);
    }
    const consumers = (await redis.xinfo('CONSUMERS', PLAN_STREAM, 'governor')) as unknown[][];
    for (const c of consumers) byConsumerHint.add(String(c[1]));
    console.log('two replicas:', JSON.stringify({ ...verdict, consumers: [...byConsumerHint], maxOpenPermitsPerSymbol: Math.max(...openPermits.values()) }));
    expectClean(verdict);
    expect(Math.max(...openPermits.values())).toBe(1);
  });

  it('Redis kill -9 and restart (append-only) in the middle', async () => {
    const gov = await startGovernor(server.url, 'gov-x');
    children.push(gov);
    const plans = makePlans(5000, 'x');
    await write(redis, plans.slice(0, 2500));
    while ((await eventCount(redis)) < 500) await sleep(5);
    await server.kill();
    await sleep(1000);
    await server.restart();
    await write(redis, plans.slice(2500));
    await waitForAll(redis);
    const verdict = await verify(redis);
    console.log('redis restart:', JSON.stringify(verdict));
    expect(verdict.written).toBe(5000);
    expectClean(verdict);
    expect(gov.process.exitCode).toBeNull();
  });
});
