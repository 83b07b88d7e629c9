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
 * between loop ends, averaged), plus Redis' `INFO commandstats` per later loop (calls, µs and µs
 * per call of EVAL, SCAN, ...; commands run inside scripts are listed too and are part of EVAL's
 * time) and the machine's load average. With a free core each, a loop takes about the larger of
 * the two CPU figures. Last, the Redis floor: the Redis CPU per symbol of the same commands sent
 * plain and pipelined by this process (no script, no service), i.e. what Redis itself needs per
 * symbol on this machine (`redisFloorUsPerSymbol`). `runAllocationBench()` returns all of it as an object.
 */
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { EFFICIENCY_KEY_PREFIX, PROPOSE_STREAM, PROPOSED_KEY_PREFIX, TARGET_KEY_PREFIX } from '@quantum/config';
import { findFreePort, startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import type { Bench, BenchContext, BenchResult, BenchRow } from './registry';
import { REPO_ROOT } from './service-bundle';
import { median } from './timing';

const MAIN = resolve(REPO_ROOT, 'apps/allocation-target/src/main.ts');
const SIZES = [1_000, 10_000, 100_000];
const LOOPS = 8;
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
  /** serviceCpuMs and redisCpuMs per symbol, in µs. */
  readonly serviceCpuUsPerSymbol: number;
  readonly redisCpuUsPerSymbol: number;
  /** Redis `INFO commandstats` per later loop (average), by command (lower case, e.g. `eval`, `scan`, `hset`). */
  readonly redisCommands: Readonly<Record<string, CommandStat>>;
  /** 1-minute load average when the size finished (the machine is shared: wall times depend on it). */
  readonly loadAverage: number;
  /**
   * Redis CPU per symbol (µs) for the bare commands a loop needs, sent as plain pipelined
   * commands with no script and no service: one SCAN pass, HGET + HMGET, XADD, MULTI/HSET/EXPIRE/
   * EXEC (median of 3 passes). What Redis itself costs per symbol on this machine, whatever the client.
   */
  readonly redisFloorUsPerSymbol: number;
}

export interface CommandStat {
  readonly calls: number;
  readonly usec: number;
  readonly usecPerCall: number;
}

export interface AllocationBenchNumbers {
  readonly cpus: number;
  readonly sizes: readonly AllocationBenchSize[];
}

async function seed(client: Redis, n: number): Promise<void> {
  const now = NOW();
  for (let start = 0; start < n; start += 5_000) {
    const p = client.pipeline();
    for (let i = start; i < Math.min(n, start + 5_000); i++) {
      p.hset(`${TARGET_KEY_PREFIX}S${i}USDT`, 'target_usd', String(1_000 + i), 'confidence', '0.9', 'timestamp', String(now), 'mode', 'live');
      // mostly usable, some stale / low confidence / missing
      if (i % 20 !== 0) {
        const ts = i % 20 === 1 ? now - 3_600 : now - 5;
        p.hset(`${EFFICIENCY_KEY_PREFIX}S${i}USDT`, 'efficiency_score', String((i % 101) / 100), 'confidence', i % 20 === 2 ? '0.5' : '0.9', 'ts', String(ts), 'window', '3600');
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
  /** Redis INFO commandstats when the record arrived (added here, first and last record only). */
  redisCommands?: Map<string, { calls: number; usec: number }>;
}

async function redisCommandStats(client: Redis): Promise<Map<string, { calls: number; usec: number }>> {
  const out = new Map<string, { calls: number; usec: number }>();
  for (const line of (await client.info('commandstats')).split('\r\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+),/.exec(line);
    if (m) out.set(m[1] as string, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return out;
}

function commandDeltas(first: LoopRecord, last: LoopRecord, loops: number): Record<string, CommandStat> {
  const out: Record<string, CommandStat> = {};
  const before = first.redisCommands ?? new Map<string, { calls: number; usec: number }>();
  const entries = [...(last.redisCommands ?? new Map<string, { calls: number; usec: number }>())].map(([name, after]) => {
    const b = before.get(name) ?? { calls: 0, usec: 0 };
    return [name, after.calls - b.calls, after.usec - b.usec] as const;
  });
  for (const [name, calls, usec] of entries.sort((a, b) => b[2] - a[2])) {
    // the bench's own INFO calls are not the service's
    if (calls <= 0 || name === 'info') continue;
    out[name] = { calls: calls / loops, usec: usec / loops, usecPerCall: usec / calls };
  }
  return out;
}

async function redisCpuSec(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const user = /used_cpu_user:([\d.]+)/.exec(info);
  const sys = /used_cpu_sys:([\d.]+)/.exec(info);
  return Number(user?.[1] ?? 0) + Number(sys?.[1] ?? 0);
}

/**
 * Redis CPU (µs per symbol) of the bare commands of one loop over `n` seeded symbols, pipelined
 * in slices of 1000 symbols: what no client can go below (see `redisFloorUsPerSymbol`).
 */
async function redisFloor(client: Redis, n: number): Promise<number> {
  const ts = String(NOW());
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    const before = await redisCpuSec(client);
    let cursor = '0';
    do {
      [cursor] = await client.scan(cursor, 'MATCH', `${TARGET_KEY_PREFIX}*`, 'COUNT', 1000);
    } while (cursor !== '0');
    for (let start = 0; start < n; start += 1000) {
      const p = client.pipeline();
      for (let i = start; i < Math.min(n, start + 1000); i++) {
        const symbol = `S${i}USDT`;
        const key = `${PROPOSED_KEY_PREFIX}${symbol}`;
        p.hget(`${TARGET_KEY_PREFIX}${symbol}`, 'target_usd');
        p.hmget(`${EFFICIENCY_KEY_PREFIX}${symbol}`, 'efficiency_score', 'confidence', 'ts');
        p.xadd(PROPOSE_STREAM, 'MAXLEN', '~', '100000', '*', 'ts_epoch', ts, 'symbol', symbol, 'base_target', '1000', 'proposed_target', '1234.5',
          'multiplier', '1.2345', 'eff_score', '0.7345', 'eff_confidence', '0.9', 'eff_stale', '0', 'reason', 'ok', 'mode', 'shadow');
        p.call('MULTI');
        p.hset(key, 'ts_epoch', ts, 'symbol', symbol, 'base_target', '1000.00', 'proposed_target', '1234.50', 'multiplier', '1.2345', 'eff_score', '0.7345',
          'eff_confidence', '0.9', 'eff_stale', '0', 'reason', 'ok', 'mode', 'shadow', 'last_update_ts_epoch', ts);
        p.expire(key, 600);
        p.call('EXEC');
      }
      await p.exec();
    }
    passes.push(((await redisCpuSec(client)) - before) * 1e6 / n);
  }
  return median(passes);
}

async function runService(url: string, loops: number, client: Redis): Promise<LoopRecord[]> {
  const port = await findFreePort();
  const child = spawn(process.execPath, ['--conditions=@quantum/source', '--import', 'tsx', MAIN], {
    cwd: REPO_ROOT,
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
        const withCommands = records.length === 1 || last;
        void Promise.all([redisCpuSec(client), withCommands ? redisCommandStats(client) : undefined]).then(([cpu, commands]) => {
          loopRecord.redisCpuSec = cpu;
          if (commands) loopRecord.redisCommands = commands;
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

export interface AllocationBenchOptions {
  readonly sizes?: readonly number[];
  /** A Redis to use (flushed before each size; left running and flushed at the end), else a throwaway one. */
  readonly redis?: ThrowawayRedis;
}

export async function runAllocationBench(options: AllocationBenchOptions = {}): Promise<AllocationBenchNumbers> {
  const sizes = options.sizes ?? SIZES;
  const redis = options.redis ?? (await startThrowawayRedis());
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
      const serviceCpuMs = median(records.slice(1).map((r) => r.cpu_ms));
      const redisCpuMs = ((((records[records.length - 1] as LoopRecord).redisCpuSec ?? 0) - ((records[0] as LoopRecord).redisCpuSec ?? 0)) / (records.length - 1)) * 1000;
      out.push({
        symbols: n,
        firstLoopMs: first,
        laterLoopMs: later,
        firstSymbolsPerSec: (n / first) * 1000,
        laterSymbolsPerSec: (n / later) * 1000,
        rssMb: (records[records.length - 1] as LoopRecord).rss_bytes / 2 ** 20,
        loopsMs,
        serviceCpuMs,
        redisCpuMs,
        serviceCpuUsPerSymbol: (serviceCpuMs * 1000) / n,
        redisCpuUsPerSymbol: (redisCpuMs * 1000) / n,
        redisCommands: commandDeltas(records[0] as LoopRecord, records[records.length - 1] as LoopRecord, records.length - 1),
        loadAverage: loadavg()[0] as number,
        redisFloorUsPerSymbol: await redisFloor(client, n),
      });
    }
  } finally {
    if (options.redis) await client.flushall().catch(() => undefined);
    client.disconnect();
    if (!options.redis) await redis.stop();
  }
  return { cpus: availableParallelism(), sizes: out };
}

function table(numbers: AllocationBenchNumbers): string {
  const head = ['symbols', 'first loop ms', 'later loop ms', 'symbols/s (later)', 'node cpu ms', 'redis cpu ms', 'node µs/sym', 'redis µs/sym', 'eval µs/loop', 'scan µs/loop', 'rss MB', 'load', 'redis floor µs/sym', 'all loops ms'];
  const body = numbers.sizes.map((s) => [
    s.symbols.toLocaleString('en-US'),
    s.firstLoopMs.toFixed(1),
    s.laterLoopMs.toFixed(1),
    Math.round(s.laterSymbolsPerSec).toLocaleString('en-US'),
    s.serviceCpuMs.toFixed(0),
    s.redisCpuMs.toFixed(0),
    s.serviceCpuUsPerSymbol.toFixed(1),
    s.redisCpuUsPerSymbol.toFixed(1),
    (s.redisCommands['eval']?.usec ?? 0).toFixed(0),
    (s.redisCommands['scan']?.usec ?? 0).toFixed(0),
    s.rssMb.toFixed(0),
    s.loadAverage.toFixed(1),
    s.redisFloorUsPerSymbol.toFixed(1),
    s.loopsMs.map((x) => x.toFixed(0)).join(' '),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padStart(widths[i] as number))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const allocationBench: Bench = {
  name: 'allocation',
  summary: 'allocation-target loop time, symbols/s and RSS for 1k/10k/100k symbols (real service, throwaway Redis)',
  async run(context: BenchContext = {}): Promise<BenchResult> {
    const numbers = await runAllocationBench({ redis: context.redis });
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
      serviceCpuUsPerSymbol: s.serviceCpuUsPerSymbol,
      redisCpuUsPerSymbol: s.redisCpuUsPerSymbol,
      redisFloorUsPerSymbol: s.redisFloorUsPerSymbol,
      redisEvalUsecPerLoop: s.redisCommands['eval']?.usec ?? 0,
      redisScanUsecPerLoop: s.redisCommands['scan']?.usec ?? 0,
      loadAverage: s.loadAverage,
    }));
    return { name: 'allocation', rows };
  },
};
