import { runCoreBench } from './core.bench';
import { formatGovernorTable } from './governor.bench';
import { BENCHES } from './benches';
import { runBenches } from './main';
import { formatTable, measure, median } from './timing';

describe('benchmarks', () => {
  it('core bench returns numbers for all four paths and prints a table', async () => {
    const printed: string[] = [];
    const r = await runCoreBench({ measureMs: 20, warmupMs: 5, print: (s) => printed.push(s) });
    expect(r.name).toBe('core');
    expect(r.rows).toHaveLength(4);
    for (const v of Object.values(r.opsPerSec)) expect(v).toBeGreaterThan(0);
    expect(printed[0]).toContain('multiplier, from raw hash strings');
  });

  it('measure counts operations and formatTable aligns columns', () => {
    const row = measure('noop', (n) => n, { warmupMs: 1, measureMs: 5, batchSize: 10 });
    expect(row.ops % 10).toBe(0);
    expect(row.sink).toBeGreaterThan(0);
    const table = formatTable('t', [{ case: 'x', opsPerSec: 1234567.8, ops: 10, seconds: 1 }]);
    expect(table.split('\n')).toEqual(['t', 'case      ops/s  ops  cpu s', '----  ---------  ---  -----', 'x     1,234,568   10   1.00']);
  });

  it('median is the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  it('governor table gives the median of the sustained runs, every run and its share of XADD', () => {
    const table = formatGovernorTable({
      throughputPlansPerSec: 33_016, throughputPlans: 200_000, latency: [], redisSetPerSec: 1_900_000, redisXaddPerSec: 1_000_000, ratioToXadd: 0.032,
      throughputRuns: [
        { plansPerSec: 25_608, seconds: 7.81, xaddPerSec: 1_024_320 },
        { plansPerSec: 33_016, seconds: 6.06, xaddPerSec: 1_031_750 },
        { plansPerSec: 33_366, seconds: 5.99 },
      ],
      aofRuns: [{ plansPerSec: 21_500, seconds: 9.3 }],
    });
    const sustained = table.split('\n')[1]!;
    expect(sustained).toMatch(/^sustained throughput, gate path\s+33,016 plans\/s\s+median of 3 runs of 200000 plans: /);
    expect(sustained).toContain('25,608 (7.81 s, 2.5% of XADD at 1,024,320/s), 33,016 (6.06 s, 3.2% of XADD at 1,031,750/s), 33,366 (5.99 s)');
    expect(table).toContain('median 3.2% of the XADD rate measured after each');
    expect(table.split('\n')[2]).toMatch(/^sustained, AOF fsync every second\s+21,500 plans\/s\s+one run: 21,500 \(9\.30 s\); with the persistence production runs$/);
  });

  it('registry names are unique; an unknown name is refused', async () => {
    expect(new Set(BENCHES.map((b) => b.name)).size).toBe(BENCHES.length);
    const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await runBenches(['nope'])).toBeUndefined();
      expect(String(err.mock.calls[0][0])).toContain('unknown benchmark: nope');
    } finally {
      err.mockRestore();
    }
  });
});
