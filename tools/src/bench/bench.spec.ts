import { runCoreBench } from './core.bench';
import { BENCHES } from './benches';
import { runBenches } from './main';
import { formatTable, measure } from './timing';

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
