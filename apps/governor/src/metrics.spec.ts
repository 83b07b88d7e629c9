import { Registry } from 'prom-client';
import { renderMetrics } from '@quantum/metrics';
import type { Decision } from './decision';
import type { PermitDraft } from './permit';
import { GovernorMetrics } from './metrics';

const HOUR_MS = 3_600_000;

function permitted(symbol: string, factor = 1): Decision {
  const permit = { reading: { reason: 'ok' }, hint: { action: factor < 1 ? 'DOWNSIZE' : 'NONE', factor } } as unknown as PermitDraft;
  return { entryId: '1-0', outcome: 'permitted', reason: 'ok', planId: `p-${symbol}`, symbol, permit, acknowledged: true };
}

function blocked(symbol: string, reason: string): Decision {
  return { entryId: '1-0', outcome: 'blocked', reason, planId: `p-${symbol}`, symbol, acknowledged: true };
}

function skipped(symbol: string): Decision {
  return { entryId: '1-0', outcome: 'skipped', reason: 'decision_skip', planId: `p-${symbol}`, symbol, acknowledged: true };
}

/** The symbols that have a series in a per-symbol family. */
async function symbolsOf(m: GovernorMetrics): Promise<Record<string, string[]>> {
  const of = async (family: GovernorMetrics['allow'] | GovernorMetrics['block'] | GovernorMetrics['effFactor']) => (await family.get()).values.map((v) => Object.values(v.labels).join('/'));
  return { allow: await of(m.allow), effFactor: await of(m.effFactor), block: await of(m.block) };
}

describe('GovernorMetrics: per-symbol series of idle symbols are removed (fake clock)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 0));

  it('removes every series of a symbol with no permit and no block for the idle time', async () => {
    const m = new GovernorMetrics(new Registry(), undefined, { symbolIdleSec: 60, now: clock });
    m.recordAll([permitted('A', 0.5), blocked('B', 'symbol_cooldown'), blocked('B', 'kill_switch_active'), permitted('C'), permitted('B')]);
    expect(await symbolsOf(m)).toEqual({ allow: ['A', 'C', 'B'], effFactor: ['A', 'C', 'B'], block: ['B/symbol_cooldown', 'B/kill_switch_active'] });
    now = 30_000;
    m.recordAll([blocked('A', 'symbol_cooldown')]);
    // a skip or another non-permit, non-block outcome does not keep a symbol's series
    now = 59_999;
    m.recordAll([skipped('C')]);
    expect(m.symbolCount).toBe(3);
    now = 60_000;
    m.recordAll([skipped('C')]);
    expect(await symbolsOf(m)).toEqual({ allow: ['A'], effFactor: ['A'], block: ['A/symbol_cooldown'] });
    expect(m.symbolCount).toBe(1);
    // the other metrics keep counting everything
    expect((await m.messages.get()).values.find((v) => v.labels.outcome === 'permitted')?.value).toBe(3);
    expect((await m.messages.get()).values.find((v) => v.labels.outcome === 'blocked')?.value).toBe(3);
    expect((await m.effApply.get()).values).toEqual([{ labels: { action: 'DOWNSIZE', reason: 'low_score' }, value: 1 }, { labels: { action: 'NONE', reason: 'ok' }, value: 2 }]);
  });

  it('a symbol that comes back starts its counters again from its new decisions', async () => {
    const m = new GovernorMetrics(new Registry(), undefined, { symbolIdleSec: 10, now: clock });
    m.recordAll([permitted('A'), permitted('A'), permitted('A')]);
    now = 10_000;
    m.removeIdle();
    expect((await m.allow.get()).values).toEqual([]);
    m.recordAll([permitted('A', 0.25)]);
    expect((await m.allow.get()).values).toEqual([{ labels: { symbol: 'A' }, value: 1 }]);
    expect((await m.effFactor.get()).values).toEqual([{ labels: { symbol: 'A' }, value: 0.25 }]);
  });

  it('a scrape removes idle series even when no plan arrives', async () => {
    const registry = new Registry();
    const m = new GovernorMetrics(registry, undefined, { symbolIdleSec: 1, now: clock });
    m.recordAll([permitted('A'), blocked('B', 'symbol_cooldown')]);
    expect(await registry.metrics()).toContain('quantum_govern_block_total{symbol="B",reason="symbol_cooldown"} 1');
    now = 1000;
    const text = await renderMetrics(registry);
    expect(text).not.toMatch(/symbol=/);
    expect(text).toContain('# TYPE quantum_govern_allow_total counter');
    expect(m.symbolCount).toBe(0);
  });

  it('defaults to an hour, on the monotonic clock', async () => {
    const m = new GovernorMetrics(new Registry(), undefined, { now: clock });
    m.recordAll([permitted('A')]);
    m.removeIdle(HOUR_MS - 1);
    expect(m.symbolCount).toBe(1);
    m.removeIdle(HOUR_MS);
    expect(m.symbolCount).toBe(0);
    expect((await m.allow.get()).values).toEqual([]);

    const monotonic = jest.spyOn(performance, 'now').mockReturnValue(5 * HOUR_MS);
    try {
      const real = new GovernorMetrics(new Registry());
      real.recordAll([permitted('A')]);
      monotonic.mockReturnValue(6 * HOUR_MS);
      real.removeIdle();
      expect(real.symbolCount).toBe(0);
    } finally {
      monotonic.mockRestore();
    }
    expect(() => new GovernorMetrics(new Registry(), undefined, { symbolIdleSec: 0 })).toThrow(RangeError);
  });

  it('reads the clock once per batch, not per decision', () => {
    let reads = 0;
    const m = new GovernorMetrics(new Registry(), undefined, { now: () => (reads += 1) });
    m.recordAll(Array.from({ length: 500 }, (_, i) => (i % 2 ? permitted(`S${i % 50}`) : blocked(`S${i % 50}`, 'symbol_cooldown'))));
    expect(reads).toBe(1);
    m.recordAll([skipped('A')]);
    expect(reads).toBe(1);
  });

  it('renders the governor\'s metrics exactly as prom-client does', async () => {
    const registry = new Registry();
    const m = new GovernorMetrics(registry, () => true, { now: clock });
    m.recordAll([permitted('A', 0.4444), blocked('B', 'symbol_cooldown'), permitted('C'), blocked('A', 'kill_switch_active')]);
    const text = await registry.metrics();
    expect(await renderMetrics(registry)).toBe(text);
    expect(text).toContain('p32_eff_factor{symbol="A"} 0.4444\n');
    expect(text).toContain('quantum_govern_allow_total{symbol="C"} 1\n');
    expect(text).toContain('quantum_govern_block_total{symbol="A",reason="kill_switch_active"} 1\n');
    expect(text).toContain('service_ready 1\n');
  });
});
