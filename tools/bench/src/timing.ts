import { BenchRow } from './registry';

/**
 * Runs `batch(n)` (which must do `n` operations and return a number that depends on them, so the
 * work cannot be optimised away) first for `warmupMs`, then for at least `measureMs`, and
 * reports operations per second of CPU time used by this process (user + system), which stays
 * meaningful on a busy machine where wall time would also count time spent descheduled.
 */
export function measure(caseName: string, batch: (n: number) => number, opts: { warmupMs?: number; measureMs?: number; batchSize?: number } = {}): BenchRow & { sink: number } {
  const warmupMs = opts.warmupMs ?? 1000;
  const measureMs = opts.measureMs ?? 2000;
  const batchSize = opts.batchSize ?? 100_000;
  let sink = 0;
  const warmEnd = performance.now() + warmupMs;
  while (performance.now() < warmEnd) sink += batch(batchSize);
  let ops = 0;
  const start = process.cpuUsage();
  let elapsedMs = 0;
  do {
    sink += batch(batchSize);
    ops += batchSize;
    const used = process.cpuUsage(start);
    elapsedMs = (used.user + used.system) / 1000;
  } while (elapsedMs < measureMs);
  const seconds = elapsedMs / 1000;
  return { case: caseName, opsPerSec: ops / seconds, ops, seconds, sink };
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function formatTable(title: string, rows: readonly BenchRow[]): string {
  const head = ['case', 'ops/s', 'ops', 'cpu s'];
  const body = rows.map((r) => [r.case, Math.round(r.opsPerSec).toLocaleString('en-US'), String(r.ops), r.seconds.toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [title, line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
