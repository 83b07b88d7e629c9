/**
 * allocation-target benchmark: the real service (apps/allocation-target/src/main.ts as a child
 * process, sources through tsx) against a throwaway Redis, for 1k, 10k and 100k symbols.
 *
 * For each size: flush, seed targets + efficiency hashes (pipelined), start the service with
 * `LOOP_INTERVAL_SEC=1`, take the `proposal loop done` log records of its first loops (each
 * carries `duration_ms`, `symbols`, `written`, `rss_bytes`), then SIGTERM it. Reported: the first
 * loop (cold: JIT warm-up, empty proposal hashes) and the median of the later loops (warm), their
 * symbols per second, and the service's resident memory after the last loop. Because wall time
 * on a shared machine depends on what else runs, the CPU each side used per later loop is
 * reported too: the service's own (`cpu_ms` of its log record) and Redis' (`INFO cpu` deltas
 * between loop ends, averaged). With a free core each, a loop takes about the larger of the two.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { findFreePort, startThrowawayRedis } from '@quantum/redis-streams/testing';
import type { Bench, BenchResult, BenchRow } from './registry';

const ROOT = resolve(__dirname, '../../..');
const MAIN = resolve(ROOT, 'apps/allocation-target/src/main.ts');
const SIZES = [1_000, 10_000, 100_000];
const LOOPS = 5;
const NOW = () => Math.floor(Date.now() / 1000);

export interface AllocationBenchSize {
  readonly symbols: number;
  readonly firstLoopMs: number;
  /** Median of loops 2..LOOPS. */
  readonly laterLoopMs: number;
  readonly firstSymbolsPerSec: number;
  readonly laterSymbolsPerSec: number;
  readonly rssMb: number;
  readonly loopsMs: readonly number[];
  /** Median Node CPU of the later loops. */
  readonly serviceCpuMs: number;
  /** Redis CPU per later loop (average). */
  readonly redisCpuMs: number;
}

export interface AllocationBenchNumbers {
  readonly sizes: readonly AllocationBenchSize[];
}

async function seed(client: Redis, n: number): Promise<void> {
  const now = NOW();
  for (let start = 0; start < n; start += 5_000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(n, start + 5_000); i++) {
      p.hset(`quantum:allocation:target:S${i}USDT`, 'target_usd', String(1_000 + i), 'confidence', '0.9', 'timestamp', String(now), 'mode', 'live');
      // mostly usable, some stale / low confidence / missing
      if (i % 20 !== 0) {
        const ts = i % 20 === 1 ? now - 3_600 : now - 5;
        p.hset(`quantum:capital:efficiency:S${i}USDT`, 'efficiency_score', String((i % 101) / 100), 'confidence', i % 20 === 2 ? '0.5' : '0.9', 'ts', String(ts), 'window', '3600');
      }
    }
    await p.exec();
  }
}

interface LoopRecord {
  readonly duration_ms: number;
  readonly symbols: number;
  readonly written: number;
  readonly rss_bytes: number;
  readonly cpu_ms: number;
  /** Redis used_cpu_user + used_cpu_sys (seconds) when the record arrived (added here). */
  redisCpuSec?: number;
}

async function redisCpuSec(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const user = /used_cpu_user:([\d.]+)/.exec(info);
  const sys = /used_cpu_sys:([\d.]+)/.exec(info);
  return Number(user?.[1] ?? 0) + Number(sys?.[1] ?? 0);
}

async function runService(url: string, loops: number, client: Redis): Promise<LoopRecord[]> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--conditions=@quantum/source', '--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', REDIS_URL: url, LOOP_INTERVAL_SEC: '1', METRICS_HOST: '127.0.0.1', METRICS_PORT: String(port), LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const records: LoopRecord[] = [];
  let buffer = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await new Promise<void>((resolveDone, reject) => {
    const timer = setTimeout(() => reject(new Error('allocation bench: service did not complete its loops in 300 s')), 300_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.includes('"proposal loop')) continue;
        const record = JSON.parse(line) as Record<string, unknown>;
        if (record['msg'] === 'proposal loop failed') {
          clearTimeout(timer);
          reject(new Error(`allocation bench: loop failed: ${line}`));
          return;
        }
        if (record['msg'] !== 'proposal loop done') continue;
        const loopRecord = record as unknown as LoopRecord;
        records.push(loopRecord);
        const last = records.length >= loops;
        void redisCpuSec(client).then((cpu) => {
          loopRecord.redisCpuSec = cpu;
          if (last) {
            clearTimeout(timer);
            resolveDone();
          }
        }, reject);
      }
    });
    void exited.then(() => reject(new Error('allocation bench: service exited early')));
  }).finally(() => child.kill('SIGTERM'));
  await exited;
  return records;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function runAllocationBench(sizes: readonly number[] = SIZES): Promise<AllocationBenchNumbers> {
  const redis = await startThrowawayRedis();
  const client = new Redis(redis.url);
  const out: AllocationBenchSize[] = [];
  try {
    for (const n of sizes) {
      await client.flushall();
      await seed(client, n);
      const records = await runService(redis.url, LOOPS, client);
      for (const r of records) if (r.symbols !== n) throw new Error(`allocation bench: a loop saw ${r.symbols} symbols, expected ${n}`);
      const loopsMs = records.map((r) => r.duration_ms);
      const first = loopsMs[0] as number;
      const later = median(loopsMs.slice(1));
      out.push({
        symbols: n,
        firstLoopMs: first,
        laterLoopMs: later,
        firstSymbolsPerSec: (n / first) * 1000,
        laterSymbolsPerSec: (n / later) * 1000,
        rssMb: (records[records.length - 1] as LoopRecord).rss_bytes / 2 ** 20,
        loopsMs,
        serviceCpuMs: median(records.slice(1).map((r) => r.cpu_ms)),
        redisCpuMs: ((((records[records.length - 1] as LoopRecord).redisCpuSec ?? 0) - ((records[0] as LoopRecord).redisCpuSec ?? 0)) / (records.length - 1)) * 1000,
      });
    }
  } finally {
    client.disconnect();
    await redis.stop();
  }
  return { sizes: out };
}

function table(numbers: AllocationBenchNumbers): string {
  const head = ['symbols', 'first loop ms', 'later loop ms', 'symbols/s (later)', 'node cpu ms', 'redis cpu ms', 'rss MB', 'all loops ms'];
  const body = numbers.sizes.map((s) => [
    s.symbols.toLocaleString('en-US'),
    s.firstLoopMs.toFixed(1),
    s.laterLoopMs.toFixed(1),
    Math.round(s.laterSymbolsPerSec).toLocaleString('en-US'),
    s.serviceCpuMs.toFixed(0),
    s.redisCpuMs.toFixed(0),
    s.rssMb.toFixed(0),
    s.loopsMs.map((x) => x.toFixed(0)).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i] as number))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const allocationBench: Bench = {
  name: 'allocation',
  summary: 'allocation-target loop time, symbols/s and RSS for 1k/10k/100k symbols (real service, throwaway Redis)',
  async run(): Promise<BenchResult> {
    const numbers = await runAllocationBench();
    console.log('allocation-target proposal loop (goal: 10k <= 100 ms, 100k <= 1 s)');
    console.log(table(numbers));
    const rows: BenchRow[] = numbers.sizes.map((s) => ({
      case: `${s.symbols} symbols`,
      opsPerSec: s.laterSymbolsPerSec,
      ops: s.symbols,
      seconds: s.laterLoopMs / 1000,
      firstLoopMs: s.firstLoopMs,
      laterLoopMs: s.laterLoopMs,
      rssMb: s.rssMb,
      serviceCpuMs: s.serviceCpuMs,
      redisCpuMs: s.redisCpuMs,
    }));
    return { name: 'allocation', rows };
  },
};
