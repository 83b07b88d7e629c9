import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { BenchResult, BenchRow } from './registry';

/**
 * The governor's sustained throughput over Redis's own pipelined XADD rate: the governor bench's
 * own ratio (each run against the XADD rate measured right after it) when it has one, else its
 * median over the redis-limit bench's XADD rate, when both were run.
 */
export function governorToRedisRatio(results: readonly BenchResult[]): number | undefined {
  const governor = results.find((r) => r.name === 'governor')?.rows.find((row) => /sustained/i.test(row.case));
  if (!governor) return undefined;
  if (typeof governor['ratioToXadd'] === 'number') return governor['ratioToXadd'];
  const xadd = results.find((r) => r.name === 'redis-limit')?.rows.find((row) => /XADD/.test(row.case));
  if (!xadd || !(xadd.opsPerSec > 0)) return undefined;
  return governor.opsPerSec / xadd.opsPerSec;
}

function extras(row: BenchRow): string {
  return Object.entries(row)
    .filter(([key]) => !['case', 'opsPerSec', 'ops', 'seconds'].includes(key))
    .map(([key, value]) => `${key}=${typeof value === 'number' ? round(value) : value}`)
    .join(' ');
}

function round(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3);
}

/** One table with every figure of every benchmark, and the governor/Redis ratio. */
export function summaryTable(results: readonly BenchResult[]): string {
  const body = results.flatMap((result) =>
    result.rows.map((row) => [result.name, row.case, Math.round(row.opsPerSec).toLocaleString('en-US'), extras(row)]),
  );
  const head = ['bench', 'case', 'ops/s', 'details'];
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join('  ').trimEnd();
  const lines = ['summary', line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  const ratio = governorToRedisRatio(results);
  if (ratio !== undefined) lines.push('', `governor sustained throughput = ${(ratio * 100).toFixed(1)}% of Redis pipelined XADD on this machine`);
  return lines.join('\n');
}

/** Writes the results with the machine they were measured on; returns the file path. */
export function writeResults(results: readonly BenchResult[], dir: string, redisVersion: string | undefined, now = new Date()): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `bench-${now.toISOString().replace(/[:.]/g, '-')}.json`);
  const doc = {
    measuredAt: now.toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryBytes: totalmem(), node: process.version, redis: redisVersion ?? 'unknown' },
    governorToRedisXaddRatio: governorToRedisRatio(results) ?? null,
    results,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  return file;
}
