import { spawn } from 'node:child_process';
import { redisServerAvailable, startThrowawayRedis } from '@quantum/redis-streams/testing';
import type { Bench, BenchContext, BenchResult, BenchRow } from './registry';

const REQUESTS = 200_000;
const PIPELINE = 64;

/** The commands whose pipelined throughput bounds what any client of this Redis can do. */
const CASES: readonly { case: string; args: readonly string[] }[] = [
  { case: 'redis XADD, pipelined x64', args: ['xadd', 'bench:redis-limit', 'MAXLEN', '~', '100000', '*', 'plan_id', '0123456789abcdef', 'symbol', 'BTCUSDT'] },
  { case: 'redis SET, pipelined x64', args: ['-t', 'set'] },
];

/** Runs `redis-benchmark` and returns requests per second from its quiet (`-q`) output. */
export async function redisBenchmark(host: string, port: number, args: readonly string[], password?: string): Promise<number> {
  const argv = ['-h', host, '-p', String(port), '-q', '-n', String(REQUESTS), '-P', String(PIPELINE), ...(password ? ['-a', password] : []), ...args];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('redis-benchmark', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`redis-benchmark exited ${code}: ${text.slice(-300)}`))));
  });
  // Progress lines are separated by carriage returns; the final figure follows the last one.
  const matches = [...output.matchAll(/([\d.]+) requests per second/g)];
  const last = matches[matches.length - 1];
  if (!last) throw new Error(`no "requests per second" in redis-benchmark output: ${output.slice(-300)}`);
  return Number(last[1]);
}

export async function runRedisLimitBench(context: BenchContext = {}): Promise<BenchResult> {
  if (!redisServerAvailable('redis-benchmark')) {
    throw new Error('redis-benchmark not found (Debian: apt-get install -y redis-tools)');
  }
  const own = context.redis ? undefined : await startThrowawayRedis();
  const redis = context.redis ?? own;
  if (!redis) throw new Error('no Redis for the benchmark');
  const rows: BenchRow[] = [];
  try {
    const password = new URL(redis.url).password || undefined;
    for (const c of CASES) {
      const started = performance.now();
      const opsPerSec = await redisBenchmark(redis.host, redis.port, c.args, password ? decodeURIComponent(password) : undefined);
      rows.push({ case: c.case, opsPerSec, ops: REQUESTS, seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    await own?.stop();
  }
  console.log(['redis limit (redis-benchmark, 1 client connection set, -P 64)', ...rows.map((r) => `  ${r.case.padEnd(28)} ${Math.round(r.opsPerSec).toLocaleString('en-US').padStart(12)} ops/s`)].join('\n'));
  return { name: 'redis-limit', rows };
}

export const redisLimitBench: Bench = {
  name: 'redis-limit',
  summary: 'the Redis-side limit on this machine: redis-benchmark pipelined XADD and SET',
  run: runRedisLimitBench,
};
