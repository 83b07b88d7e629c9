import { callgrindTotal, formatInstructionCounts } from './governor-instructions';

describe('governor instruction count', () => {
  it('reads the total of a callgrind dump from its summary (or older totals) line', () => {
    const dump = ['# callgrind format', 'version: 1', 'events: Ir', 'summary: 3151301802', '', 'fn=(1) main', '16 3'].join('\n');
    expect(callgrindTotal(dump)).toBe(3_151_301_802);
    expect(callgrindTotal('events: Ir\ntotals: 42\n')).toBe(42);
    expect(() => callgrindTotal('events: Ir\nfn=main\n')).toThrow('no summary or totals line');
  });

  it('prints instructions per plan and the change against the first bundle; flags an incomplete run', () => {
    const text = formatInstructionCounts(
      [
        { main: '/w/apps/governor/dist/main.js', plans: 20_000, decisions: 20_000, instructions: 3_160_000_000, perPlan: 158_000 },
        { main: '/w/tmp/variant.js', plans: 20_000, decisions: 20_000, instructions: 3_002_000_000, perPlan: 150_100 },
        { main: '/w/tmp/broken.js', plans: 20_000, decisions: 19_000, instructions: 3_000_000_000, perPlan: 150_000 },
      ],
      '/w',
    );
    const lines = text.split('\n');
    expect(lines[0]).toContain('20000 EXECUTE plans over 1000 symbols');
    expect(lines[0]).toContain(', no persistence)');
    expect(lines[1]).toMatch(/^apps\/governor\/dist\/main\.js\s+158,000 instructions\/plan$/);
    expect(lines[2]).toMatch(/^tmp\/variant\.js\s+150,100 instructions\/plan {2}-5\.0 % vs the first$/);
    expect(lines[3]).toContain('(19000 decisions for 20000 plans: not comparable)');
    expect(formatInstructionCounts([], '/w', 'everysec').split('\n')[0]).toContain(', append-only file with appendfsync everysec)');
  });
});
