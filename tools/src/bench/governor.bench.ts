/**
 * governor benchmark: the real service (apps/governor/src/main.ts as a child process, sources
 * through tsx) against a throwaway Redis.
 *
 * 1. Throughput: 200 000 EXECUTE plans over 1000 symbols (efficiency hashes present, limits set so
 *    every plan passes the full gate path and gets a permit) are written before the governor
 *    starts; plans/s = plans / time from the first to the last decision (group lag and pending 0).
 * 2. Latency at a fixed offered load of 1000 plans/s for 10 s: a producer XADDs one plan per
 *    millisecond on schedule and notes, per plan_id, the time the XADD reply arrived (the plan is
 *    in the stream). A separate observer connection blocks on `XREAD` of the audit stream
 *    (`quantum:stream:governor.events`) and notes when each plan's event arrives. The event is
 *    written by the same atomic script as the permit, so its arrival is when the permit exists.
 *    Latency = event arrival - XADD reply; both times come from this process's monotonic clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { findFreePort, startThrowawayRedis } from '@quantum/redis-streams/testing';
import type { Bench, BenchResult, BenchRow } from './registry';

const ROOT = resolve(__dirname, '../../..');
const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const SYMBOLS = Array.from({ length: 1000 }, (_, i) => `S${i}USDT`);

export interface GovernorBenchNumbers {
  readonly throughputPlansPerSec: number;
  readonly throughputPlans: number;
  readonly throughputSeconds: number;
  readonly latencyOfferedPerSec: number;
  readonly latencyPlans: number;
  readonly latencyMissing: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function planFields(id: string, symbol: string): string[] {
  return ['plan_id', id, 'symbol', symbol, 'action', 'OPEN_PROPOSED', 'decision', 'EXECUTE', 'kill_score', '0.1', 'side', 'BUY', 'qty', '0.5', 'price', '100', 'timestamp', '1700000000', 'steps', '[{"step":"open"}]'];
}

async function startGovernor(url: string, batchSize: number): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--conditions=@quantum/source', '--import', 'tsx', join(ROOT, 'apps/governor/src/main.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env['PATH'] ?? '', REDIS_URL: url, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', LOG_LEVEL: 'warn',
      GOV_CONSUMER_NAME: 'bench', GOV_BATCH_SIZE: String(batchSize), GOV_SYMBOL_COOLDOWN_SECONDS: '0', GOV_MAX_EXEC_PER_HOUR: '0',
      GOV_MAX_EXEC_PER_5MIN: '0', GOV_MAX_NOTIONAL_PER_TRADE_USDT: '1000', GOV_MAX_NOTIONAL_PER_DAY_USD: '1000000000', EVENTS_STREAM_MAXLEN: '10000000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200) break;
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('governor did not become ready');
    await sleep(100);
  }
  return {
    child,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function groupDone(redis: Redis): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', PLAN_STREAM)) as unknown[][];
  const g = groups[0] ?? [];
  const field = (name: string) => Number(g[g.indexOf(name) + 1]);
  return field('lag') === 0 && field('pending') === 0;
}

async function throughput(redis: Redis, url: string, plans: number, batchSize: number): Promise<{ plansPerSec: number; seconds: number }> {
  await redis.flushall();
  const now = Math.floor(Date.now() / 1000);
  const pipe = redis.pipeline();
  SYMBOLS.forEach((s, i) => pipe.hset(`quantum:capital:efficiency:${s}`, { efficiency_score: String((i % 100) / 100), confidence: '0.9', ts: String(now) }));
  await pipe.exec();
  await redis.xgroup('CREATE', PLAN_STREAM, 'governor', '0', 'MKSTREAM');
  for (let i = 0; i < plans; i += 5000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(plans, i + 5000); j++) p.xadd(PLAN_STREAM, '*', ...planFields(`t${j.toString(16)}`, SYMBOLS[j % SYMBOLS.length]!));
    await p.exec();
  }
  const gov = await startGovernor(url, batchSize);
  // The governor starts deciding as soon as it is ready; time from its first event to the last.
  let first: number | undefined;
  for (;;) {
    if (first === undefined && (await redis.xlen(EVENTS)) > 0) first = performance.now();
    if (first !== undefined && (await groupDone(redis))) break;
    await sleep(first === undefined ? 1 : 20);
  }
  const seconds = (performance.now() - first!) / 1000;
  const decided = await redis.xlen(EVENTS);
  await gov.stop();
  if (decided !== plans) throw new Error(`expected ${plans} decisions, saw ${decided}`);
  return { plansPerSec: plans / seconds, seconds };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latency(redis: Redis, url: string, ratePerSec: number, seconds: number): Promise<{ samples: number[]; missing: number }> {
  await redis.flushall();
  await redis.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
  const gov = await startGovernor(url, 100);
  const producer = redis.duplicate();
  const observer = redis.duplicate();
  const added = new Map<string, number>();
  const seen = new Map<string, number>();
  let observing = true;
  const observe = (async () => {
    let last = '$';
    while (observing) {
      const reply = (await observer.xread('COUNT', 1000, 'BLOCK', 200, 'STREAMS', EVENTS, last)) as [string, [string, string[]][]][] | null;
      const at = performance.now();
      if (!reply) continue;
      for (const [id, fields] of reply[0]![1]) {
        last = id;
        const pid = fields[fields.indexOf('plan_id') + 1]!;
        if (!seen.has(pid)) seen.set(pid, at);
      }
    }
  })();
  await sleep(200); // observer blocked on XREAD before the first plan
  const total = ratePerSec * seconds;
  const start = performance.now();
  const inflight: Promise<unknown>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * ratePerSec) + 1);
    while (sent < due) {
      const id = `l${sent.toString(16)}`;
      const symbol = SYMBOLS[sent % SYMBOLS.length]!;
      inflight.push(producer.xadd(PLAN_STREAM, '*', ...planFields(id, symbol)).then(() => added.set(id, performance.now())));
      sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  const waitUntil = performance.now() + 5000;
  while (seen.size < total && performance.now() < waitUntil) await sleep(20);
  observing = false;
  await observe;
  producer.disconnect();
  observer.disconnect();
  await gov.stop();
  const samples: number[] = [];
  for (const [id, t0] of added) {
    const t1 = seen.get(id);
    if (t1 !== undefined) samples.push(Math.max(0, t1 - t0));
  }
  return { samples: samples.sort((a, b) => a - b), missing: total - samples.length };
}

export async function runGovernorBench(options: { plans?: number; batchSize?: number; rate?: number; seconds?: number } = {}): Promise<GovernorBenchNumbers> {
  const server = await startThrowawayRedis();
  const redis = new Redis(server.url);
  try {
    const plans = options.plans ?? 200_000;
    const tp = await throughput(redis, server.url, plans, options.batchSize ?? 500);
    const rate = options.rate ?? 1000;
    const lat = await latency(redis, server.url, rate, options.seconds ?? 10);
    return {
      throughputPlansPerSec: tp.plansPerSec, throughputPlans: plans, throughputSeconds: tp.seconds,
      latencyOfferedPerSec: rate, latencyPlans: lat.samples.length, latencyMissing: lat.missing,
      p50Ms: percentile(lat.samples, 50), p99Ms: percentile(lat.samples, 99), maxMs: lat.samples[lat.samples.length - 1] ?? NaN,
    };
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

export function formatGovernorTable(n: GovernorBenchNumbers): string {
  const rows: [string, string, string][] = [
    ['throughput, full gate path', `${Math.round(n.throughputPlansPerSec).toLocaleString('en-US')} plans/s`, 'goal >= 30,000 plans/s'],
    ['  plans / seconds', `${n.throughputPlans} / ${n.throughputSeconds.toFixed(2)} s`, ''],
    [`latency XADD -> permit @ ${n.latencyOfferedPerSec}/s`, `p50 ${n.p50Ms.toFixed(2)} ms`, ''],
    ['', `p99 ${n.p99Ms.toFixed(2)} ms`, 'goal <= 5 ms'],
    ['', `max ${n.maxMs.toFixed(2)} ms`, ''],
    ['  plans measured / missing', `${n.latencyPlans} / ${n.latencyMissing}`, ''],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return ['governor (real service, throwaway Redis)', ...rows.map((r) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}`)].join('\n');
}

export const governorBench: Bench = {
  name: 'governor',
  summary: 'governor service: plans/s through the full gate path; XADD->permit latency at 1000 plans/s',
  async run(): Promise<BenchResult> {
    const n = await runGovernorBench();
    console.log(formatGovernorTable(n));
    const rows: BenchRow[] = [
      { case: 'throughput', opsPerSec: n.throughputPlansPerSec, ops: n.throughputPlans, seconds: n.throughputSeconds },
      { case: 'latency@1000/s', opsPerSec: n.latencyOfferedPerSec, ops: n.latencyPlans, seconds: n.latencyPlans / n.latencyOfferedPerSec, p50Ms: n.p50Ms, p99Ms: n.p99Ms, maxMs: n.maxMs },
    ];
    return { name: 'governor', rows };
  },
};

if (require.main === module) {
  runGovernorBench().then(
    (n) => console.log(formatGovernorTable(n)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
