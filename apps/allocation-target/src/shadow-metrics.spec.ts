import { Registry } from 'prom-client';
import { DEFAULT_ALLOCATION_SETTINGS, proposeAllocation } from '@quantum/efficiency-core';
import { renderMetrics, SAMPLE_LINES } from '@quantum/metrics';
import type { LoopOutcome } from './shadow-loop';
import { ShadowMetrics, SymbolGauge } from './shadow-metrics';

const NOW = 1_700_000_000;
const ok = proposeAllocation({ target_usd: '100' }, { efficiency_score: '0.2', confidence: '0.9', ts: String(NOW) }, NOW, DEFAULT_ALLOCATION_SETTINGS);
const missing = proposeAllocation({ target_usd: '100' }, null, NOW, DEFAULT_ALLOCATION_SETTINGS);
const outcome = (seen: string[]): LoopOutcome => ({
  now: NOW, symbols: seen.length, written: seen.length, skippedKeys: 0,
  byReason: { ok: 0, missing_eff: 0, invalid_eff: 0, stale_eff: 0, low_conf: 0, redis_error: 0, invalid_target: 0 }, seen: new Set(seen),
});
const series = async (m: ShadowMetrics) => (await m.registry.metrics()).split('\n').filter((l) => l.startsWith('p29_shadow_multiplier{') || l.startsWith('p29_shadow_eff_score{'));

describe('ShadowMetrics per-symbol series', () => {
  it('removes the series of symbols a loop did not see, with or without onLoopStart', async () => {
    for (const announce of [true, false]) {
      const m = new ShadowMetrics(new Registry());
      if (announce) m.onLoopStart();
      m.onBatch(['A', 'B', 'C'], [ok, ok, missing]);
      m.loopSucceeded(outcome(['A', 'B', 'C']), 0.01, NOW);
      expect(await series(m)).toEqual(['p29_shadow_multiplier{symbol="A"} 0.7', 'p29_shadow_multiplier{symbol="B"} 0.7', 'p29_shadow_multiplier{symbol="C"} 1', 'p29_shadow_eff_score{symbol="A"} 0.2', 'p29_shadow_eff_score{symbol="B"} 0.2']);
      // B vanishes, A's reading goes missing, C's comes back: C's score series is appended
      if (announce) m.onLoopStart();
      m.onBatch(['C', 'A'], [ok, missing]);
      m.loopSucceeded(outcome(['C', 'A']), 0.01, NOW);
      expect(await series(m)).toEqual(['p29_shadow_multiplier{symbol="A"} 1', 'p29_shadow_multiplier{symbol="C"} 0.7', 'p29_shadow_eff_score{symbol="C"} 0.2']);
    }
  });

  it('a failed loop in between keeps nothing of it as current', async () => {
    const m = new ShadowMetrics(new Registry());
    m.onLoopStart();
    m.onBatch(['A', 'B'], [ok, ok]);
    m.loopSucceeded(outcome(['A', 'B']), 0.01, NOW);
    m.onLoopStart();
    m.onBatch(['B'], [ok]); // written, then the loop failed
    m.loopFailed(0.01);
    m.onLoopStart();
    m.onBatch(['A'], [ok]);
    m.loopSucceeded(outcome(['A']), 0.01, NOW);
    expect(await series(m)).toEqual(['p29_shadow_multiplier{symbol="A"} 0.7', 'p29_shadow_eff_score{symbol="A"} 0.2']);
  });
});

describe('ShadowMetrics idle series (fake clock)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 0));

  it('a failed loop removes the series not set for the idle time; a successful one does not need to', async () => {
    const m = new ShadowMetrics(new Registry(), undefined, { symbolIdleSec: 60, now: clock });
    m.onLoopStart();
    m.onBatch(['A', 'B'], [ok, ok]);
    m.loopSucceeded(outcome(['A', 'B']), 0.01, NOW);
    // loops fail part-way from now on: A is still written, B no longer reached
    now = 30_000;
    m.onLoopStart();
    m.onBatch(['A'], [ok]);
    m.loopFailed(0.01);
    now = 59_999;
    m.onLoopStart();
    m.loopFailed(0.01);
    expect(await series(m)).toEqual(['p29_shadow_multiplier{symbol="A"} 0.7', 'p29_shadow_multiplier{symbol="B"} 0.7', 'p29_shadow_eff_score{symbol="A"} 0.2', 'p29_shadow_eff_score{symbol="B"} 0.2']);
    now = 60_000;
    m.onLoopStart();
    m.loopFailed(0.01);
    expect(await series(m)).toEqual(['p29_shadow_multiplier{symbol="A"} 0.7', 'p29_shadow_eff_score{symbol="A"} 0.2']);
    expect(m.effConfidence.has('B')).toBe(false);
    // Redis down for the idle time: nothing is current any more
    now = 90_000;
    m.loopFailed(0.01);
    expect(await series(m)).toEqual([]);
  });

  it('defaults to an hour and refuses an idle time of 0', () => {
    const m = new ShadowMetrics(new Registry(), undefined, { now: clock });
    m.onBatch(['A'], [ok]);
    now = 3_599_999;
    m.loopFailed(0.01);
    expect(m.multiplier.has('A')).toBe(true);
    now = 3_600_000;
    m.loopFailed(0.01);
    expect(m.multiplier.has('A')).toBe(false);
    expect(() => new ShadowMetrics(new Registry(), undefined, { symbolIdleSec: 0 })).toThrow(RangeError);
  });
});

describe('SymbolGauge rendering', () => {
  it('renders exactly what registry.metrics() renders', async () => {
    const registry = new Registry();
    const m = new ShadowMetrics(registry, () => true);
    m.onLoopStart();
    m.onBatch(['A', 'B"\\', 'C'], [ok, ok, missing]);
    m.loopSucceeded(outcome(['A', 'B"\\', 'C']), 0.01, NOW);
    const text = await registry.metrics();
    expect(text).toContain('p29_shadow_multiplier{symbol="B\\"\\\\"} 0.7');
    expect(await renderMetrics(registry, { sliceMs: 0 })).toBe(text);
  });

  it('prints each series once when symbols are removed and set again during a render', () => {
    const g = new SymbolGauge('g', 'h');
    for (const s of ['A', 'B', 'C']) g.set(s, 1);
    const lines = g[SAMPLE_LINES]();
    expect(lines.next().value).toBe('g{symbol="A"} 1');
    g.remove('A');
    g.set('A', 2);
    g.remove('B');
    g.set('D', 1);
    expect([...lines]).toEqual(['g{symbol="C"} 1']);
    expect([...g[SAMPLE_LINES]()]).toEqual(['g{symbol="C"} 1', 'g{symbol="A"} 2', 'g{symbol="D"} 1']);
  });
});
