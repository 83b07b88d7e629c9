import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from './registry';
import { governorToRedisRatio, summaryTable, writeResults } from './report';

const results: BenchResult[] = [
  { name: 'redis-limit', rows: [{ case: 'redis XADD, pipelined x64', opsPerSec: 800_000, ops: 200_000, seconds: 0.25 }] },
  { name: 'governor', rows: [{ case: 'sustained, full gate path', opsPerSec: 40_000, ops: 50_000, seconds: 1.25, p99Ms: 2.5 }] },
];

describe('bench report', () => {
  it('computes the governor throughput as a ratio of the Redis XADD limit', () => {
    expect(governorToRedisRatio(results)).toBeCloseTo(0.05, 10);
    expect(governorToRedisRatio(results.slice(1))).toBeUndefined();
  });

  it("prefers the governor bench's own ratio, measured right after each run", () => {
    const own: BenchResult = { name: 'governor', rows: [{ case: 'sustained, full gate path', opsPerSec: 40_000, ops: 50_000, seconds: 1.25, ratioToXadd: 0.032 }] };
    expect(governorToRedisRatio([results[0]!, own])).toBe(0.032);
    expect(governorToRedisRatio([own])).toBe(0.032);
  });

  it('prints every figure and the ratio in one table', () => {
    const table = summaryTable(results);
    expect(table).toMatch(/redis-limit\s+redis XADD, pipelined x64\s+800,000/);
    expect(table).toMatch(/governor\s+sustained, full gate path\s+40,000\s+p99Ms=2\.50/);
    expect(table).toContain('governor sustained throughput = 5.0% of Redis pipelined XADD');
  });

  it('writes the results with the machine they were measured on', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-report-'));
    try {
      const file = writeResults(results, dir, '7.0.15', new Date('2026-11-24T05:00:00.000Z'));
      expect(file).toBe(join(dir, 'bench-2026-11-24T05-00-00-000Z.json'));
      const doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      expect(doc['measuredAt']).toBe('2026-11-24T05:00:00.000Z');
      expect(doc['governorToRedisXaddRatio']).toBeCloseTo(0.05, 10);
      expect(doc['machine']).toMatchObject({ redis: '7.0.15', node: process.version });
      expect(doc['results']).toEqual(results);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
