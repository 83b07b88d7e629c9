import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';
import { LabelledCounter, LabelledGauge } from './labelled-family';
import { isSampleSource, renderExposition, renderMetrics, SAMPLE_LINES } from './render';

/** A registry with every kind of metric and every formatting case prom-client has. */
function mixedRegistry(): Registry {
  const registry = new Registry();
  const registers = [registry];
  new Counter({ name: 'plain_total', help: 'no labels', registers }).inc(3);
  const labelled = new Counter({ name: 'labelled_total', help: 'help with \\ backslash\nand newline', labelNames: ['symbol', 'reason'] as const, registers });
  labelled.inc({ symbol: 'BTCUSDT', reason: 'ok' }, 2);
  labelled.inc({ symbol: 'a"quote', reason: 'back\\slash' });
  labelled.inc({ symbol: 'new\nline', reason: '' });
  labelled.inc({ reason: 'order', symbol: 'reversed' }, 0.5);
  const gauge = new Gauge({ name: 'odd_values', help: 'NaN, infinities, tiny and huge', labelNames: ['v'] as const, registers });
  gauge.set({ v: 'nan' }, NaN);
  gauge.set({ v: 'inf' }, Infinity);
  gauge.set({ v: 'neg_inf' }, -Infinity);
  gauge.set({ v: 'tiny' }, 1e-300);
  gauge.set({ v: 'huge' }, 1.7976931348623157e308);
  gauge.set({ v: 'neg_zero' }, -0);
  gauge.set({ v: 'fraction' }, 0.1 + 0.2);
  new Gauge({ name: 'empty_gauge', help: 'labelled, no series', labelNames: ['x'] as const, registers });
  const histogram = new Histogram({ name: 'latency_seconds', help: 'a histogram', labelNames: ['path'] as const, buckets: [0.005, 0.1, 1], registers });
  histogram.observe({ path: '/a' }, 0.05);
  histogram.observe({ path: '/b' }, 2);
  new Histogram({ name: 'unlabelled_seconds', help: 'no labels', buckets: [1], registers }).observe(0.5);
  const summary = new Summary({ name: 'sizes', help: 'a summary', percentiles: [0.5, 0.9], labelNames: ['k'] as const, registers });
  for (let i = 0; i < 50; i++) summary.observe({ k: 'x' }, i);
  new Gauge({
    name: 'collected',
    help: 'set by an asynchronous collect',
    registers,
    async collect(this: Gauge) {
      await new Promise((r) => setImmediate(r));
      this.set(42);
    },
  });
  const symbols = new LabelledCounter({ name: 'fast_total', help: 'a labelled family', labelNames: ['symbol', 'reason'], registers });
  symbols.inc({ symbol: 'BTCUSDT', reason: 'cooldown' }, 4);
  symbols.inc({ symbol: 'q"\\\n', reason: 'x' });
  symbols.inc({ symbol: 'ETHUSDT', reason: 'cooldown' });
  symbols.inc({ symbol: 'BTCUSDT', reason: 'kill' });
  const factors = new LabelledGauge({ name: 'fast_factor', help: 'another', labelNames: ['symbol'], registers });
  factors.set({ symbol: 'BTCUSDT' }, 0.25);
  factors.set({ symbol: 'ETHUSDT' }, NaN);
  return registry;
}

describe('renderExposition', () => {
  it('renders exactly what registry.metrics() renders, for every kind of metric and escape', async () => {
    const registry = mixedRegistry();
    const expected = await registry.metrics();
    expect(expected).toContain('fast_total{symbol="q\\"\\\\\\n",reason="x"} 1');
    for (const sliceMs of [0, 2, 1000]) expect(await renderMetrics(registry, { sliceMs })).toBe(expected);
  });

  it('renders 60k series exactly, in many slices when told to yield often', async () => {
    const registry = new Registry();
    const registers = [registry];
    const promAllow = new Counter({ name: 'prom_allow_total', help: 'prom-client family', labelNames: ['symbol'] as const, registers });
    const allow = new LabelledCounter({ name: 'allow_total', help: 'labelled family', labelNames: ['symbol'], registers });
    const block = new LabelledCounter({ name: 'block_total', help: 'labelled family', labelNames: ['symbol', 'reason'], registers });
    for (let i = 0; i < 20_000; i++) {
      promAllow.inc({ symbol: `S${i}USDT` }, i);
      allow.inc({ symbol: `S${i}USDT` }, i);
      block.inc({ symbol: `S${i}USDT`, reason: i % 2 ? 'cooldown' : 'kill' });
    }
    const chunks = await renderExposition(registry, { sliceMs: 0 });
    // a slice holds at most a few thousand lines
    expect(chunks.length).toBeGreaterThan(10);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(await registry.metrics());
  });

  it('yields to the event loop between slices', async () => {
    const registry = new Registry();
    const family = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'], registers: [registry] });
    for (let i = 0; i < 20_000; i++) family.set({ symbol: `S${i}` }, i);
    let turns = 0;
    let done = false;
    const tick = (): void => {
      turns += 1;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await renderExposition(registry, { sliceMs: 0 });
    done = true;
    expect(turns).toBeGreaterThan(3);
  });

  it('renders the same as prom-client when the families are prom-client metrics fed the same way', async () => {
    const a = new Registry();
    const b = new Registry();
    const promBlock = new Counter({ name: 'quantum_govern_block_total', help: 'Plans blocked', labelNames: ['symbol', 'reason'] as const, registers: [a] });
    const promFactor = new Gauge({ name: 'p32_eff_factor', help: 'factor', labelNames: ['symbol'] as const, registers: [a] });
    const block = new LabelledCounter({ name: 'quantum_govern_block_total', help: 'Plans blocked', labelNames: ['symbol', 'reason'], registers: [b] });
    const factor = new LabelledGauge({ name: 'p32_eff_factor', help: 'factor', labelNames: ['symbol'], registers: [b] });
    // grouped by symbol in creation order, as a labelled family prints them
    for (const [symbol, reason, n] of [['A', 'x', 1], ['A', 'y', 2], ['B\\"', 'x', 3], ['C\n', 'z', 0]] as const) {
      promBlock.inc({ symbol, reason }, n);
      block.inc({ symbol, reason }, n);
      promFactor.set({ symbol }, n / 3);
      factor.set({ symbol }, n / 3);
    }
    expect(await renderMetrics(b)).toBe(await a.metrics());
    expect(await b.metrics()).toBe(await a.metrics());
    expect(await b.getMetricsAsJSON()).toEqual(await a.getMetricsAsJSON());
  });

  it('renders prom-client\'s default metrics in the same form', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    // the values move between two renders: compare the lines without their values
    const shape = (text: string) => text.split('\n').map((line) => (line.startsWith('#') ? line : line.replace(/ [^ ]+$/, '')));
    expect(shape(await renderMetrics(registry))).toEqual(shape(await registry.metrics()));
  });

  it('an empty registry is a lone newline, as prom-client has it', async () => {
    const registry = new Registry();
    expect(await registry.metrics()).toBe('\n');
    expect(await renderMetrics(registry)).toBe('\n');
  });

  it('leaves OpenMetrics and default labels to prom-client', async () => {
    const open = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
    open.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    new Counter({ name: 'requests_total', help: 'h', registers: [open] }).inc();
    expect(await renderMetrics(open)).toBe(await open.metrics());
    expect(await renderMetrics(open)).toContain('# EOF');

    const labelled = mixedRegistry();
    labelled.setDefaultLabels({ app: 'x' });
    const text = await renderMetrics(labelled);
    expect(text).toBe(await labelled.metrics());
    expect(text).toContain('fast_factor{symbol="BTCUSDT",app="x"} 0.25');
  });

  it('tells labelled families from other metrics', () => {
    const family = new LabelledGauge({ name: 'g', help: 'h', labelNames: ['symbol'] });
    expect(isSampleSource(family)).toBe(true);
    expect(typeof family[SAMPLE_LINES]).toBe('function');
    expect(isSampleSource(new Gauge({ name: 'g', help: 'h', registers: [] }))).toBe(false);
    expect(isSampleSource(undefined)).toBe(false);
  });
});
