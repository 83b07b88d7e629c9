import { Counter, Gauge, Registry } from 'prom-client';
import { LabelledCounter, LabelledGauge } from './labelled-family';
import { SAMPLE_LINES } from './render';

describe('LabelledCounter and LabelledGauge', () => {
  it('give get() results of the same shape as prom-client\'s counter and gauge', async () => {
    const prom = new Counter({ name: 'c_total', help: 'h', labelNames: ['symbol', 'reason'] as const, registers: [] });
    const mine = new LabelledCounter({ name: 'c_total', help: 'h', labelNames: ['symbol', 'reason'] });
    prom.inc({ symbol: 'A', reason: 'x' }, 2);
    mine.inc({ symbol: 'A', reason: 'x' }, 2);
    prom.inc({ symbol: 'A', reason: 'x' });
    mine.inc({ symbol: 'A', reason: 'x' });
    expect(await mine.get()).toEqual(await prom.get());

    const promGauge = new Gauge({ name: 'g', help: 'h', labelNames: ['symbol'] as const, registers: [] });
    const gauge = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'] });
    promGauge.set({ symbol: 'A' }, 0.5);
    gauge.set({ symbol: 'A' }, 0.5);
    promGauge.set({ symbol: 'A' }, -2);
    gauge.set({ symbol: 'A' }, -2);
    expect(await gauge.get()).toEqual(await promGauge.get());
  });

  it('prints series grouped by their first label, in creation order, with label names in declared order', async () => {
    const block = new LabelledCounter({ name: 'b_total', help: 'h', labelNames: ['symbol', 'reason'] });
    block.inc({ symbol: 'A', reason: 'x' });
    block.inc({ symbol: 'B', reason: 'x' });
    block.inc({ reason: 'y', symbol: 'A' } as { symbol: string; reason: string }, 5);
    expect([...block[SAMPLE_LINES]()]).toEqual(['b_total{symbol="A",reason="x"} 1', 'b_total{symbol="A",reason="y"} 5', 'b_total{symbol="B",reason="x"} 1']);
    expect(block.size).toBe(3);
  });

  it('keeps three or more labels apart', () => {
    const f = new LabelledGauge({ name: 'f', help: 'h', labelNames: ['a', 'b', 'c'] });
    f.set({ a: '1', b: '2', c: '3' }, 1);
    f.set({ a: '1', b: '23', c: '' }, 2);
    f.set({ a: '1', b: '2', c: '3' }, 3);
    expect([...f[SAMPLE_LINES]()]).toEqual(['f{a="1",b="2",c="3"} 3', 'f{a="1",b="23",c=""} 2']);
  });

  it('removes one series, a whole group, or everything', async () => {
    const block = new LabelledCounter({ name: 'b_total', help: 'h', labelNames: ['symbol', 'reason'] });
    const allow = new LabelledCounter({ name: 'a_total', help: 'h', labelNames: ['symbol'] });
    for (const symbol of ['A', 'B', 'C']) {
      allow.inc({ symbol });
      block.inc({ symbol, reason: 'x' });
      block.inc({ symbol, reason: 'y' });
    }
    block.remove({ symbol: 'A', reason: 'x' });
    block.remove({ symbol: 'A', reason: 'nope' });
    block.remove({ symbol: 'nope', reason: 'x' });
    block.removeGroup('B');
    block.removeGroup('nope');
    expect([...block[SAMPLE_LINES]()]).toEqual(['b_total{symbol="A",reason="y"} 1', 'b_total{symbol="C",reason="x"} 1', 'b_total{symbol="C",reason="y"} 1']);
    expect(block.size).toBe(3);
    // the last series of a group takes the group with it: the symbol comes back at the end
    block.remove({ symbol: 'A', reason: 'y' });
    block.inc({ symbol: 'A', reason: 'y' }, 7);
    expect([...block[SAMPLE_LINES]()].at(-1)).toBe('b_total{symbol="A",reason="y"} 7');

    allow.remove({ symbol: 'B' });
    allow.remove({ symbol: 'nope' });
    allow.removeGroup('C');
    expect((await allow.get()).values).toEqual([{ labels: { symbol: 'A' }, value: 1 }]);
    expect(allow.size).toBe(1);
    // a removed counter starts again from its new step
    allow.inc({ symbol: 'C' }, 2);
    expect((await allow.get()).values).toEqual([{ labels: { symbol: 'A' }, value: 1 }, { labels: { symbol: 'C' }, value: 2 }]);

    const registry = new Registry();
    registry.registerMetric(allow as never);
    registry.resetMetrics();
    expect(allow.size).toBe(0);
    expect([...allow[SAMPLE_LINES]()]).toEqual([]);
  });

  it('a render prints the series held when it started, each once, with values as it reaches them', () => {
    const allow = new LabelledCounter({ name: 'a', help: 'h', labelNames: ['symbol'] });
    for (const symbol of ['A', 'B', 'C', 'D']) allow.inc({ symbol });
    const lines = allow[SAMPLE_LINES]();
    expect(lines.next().value).toBe('a{symbol="A"} 1');
    allow.removeGroup('A');
    allow.inc({ symbol: 'A' }, 5); // created again: waits for the next scrape
    allow.removeGroup('C'); // removed before it was reached: not printed
    allow.inc({ symbol: 'B' }); // a value changed before it was reached: the new one
    allow.inc({ symbol: 'E' }); // created meanwhile: next scrape
    expect([...lines]).toEqual(['a{symbol="B"} 2', 'a{symbol="D"} 1']);
    expect([...allow[SAMPLE_LINES]()]).toEqual(['a{symbol="B"} 2', 'a{symbol="D"} 1', 'a{symbol="A"} 5', 'a{symbol="E"} 1']);
  });

  it('runs collect before get() and before printing', async () => {
    let calls = 0;
    const g = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'], collect: () => (calls += 1) });
    await g.get();
    expect([...g[SAMPLE_LINES]()]).toEqual([]);
    expect(calls).toBe(2);
  });

  it('refuses what prom-client refuses', () => {
    const c = new LabelledCounter({ name: 'c', help: 'h', labelNames: ['symbol'] });
    for (const n of [-1, NaN, Infinity]) expect(() => c.inc({ symbol: 'A' }, n)).toThrow(RangeError);
    expect(() => c.inc({ symbol: 3 } as unknown as { symbol: string })).toThrow(TypeError);
    expect(() => c.inc({} as { symbol: string })).toThrow(/label symbol must be a string/);
    expect(c.size).toBe(0);
    const g = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'] });
    expect(() => g.set({ symbol: 'A' }, '1' as unknown as number)).toThrow(TypeError);
    expect(() => new LabelledGauge({ name: 'g', help: 'h', labelNames: [] as unknown as ['x'] })).toThrow(/at least one label name/);
  });

  it('registers in the given registries under its name', async () => {
    const registry = new Registry();
    const g = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'], registers: [registry] });
    expect(registry.getSingleMetric('g')).toBe(g);
    expect(() => new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'], registers: [registry] })).toThrow(/already been registered/);
    g.set({ symbol: 'A' }, 1);
    expect(await registry.getSingleMetricAsString('g')).toBe('# HELP g h\n# TYPE g gauge\ng{symbol="A"} 1');
  });
});
