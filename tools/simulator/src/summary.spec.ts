import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlanRecord } from './plan-record';
import { readStatsFile, writeStatsFile } from './stats-file';
import { countPermit, countPlan, emptyStats } from './stats';
import { formatProducers, formatSummary } from './summary';

const plan = (producer: PlanRecord['producer'], decision: PlanRecord['decision']): PlanRecord => ({
  producer, decision, planId: '0123456789abcdef', symbol: 'BTCUSDT', fields: {},
});

function sampleStats() {
  const stats = emptyStats();
  for (const d of ['SKIP', 'SKIP', 'SKIP', 'EXECUTE', 'EXECUTE', 'BLOCKED'] as const) countPlan(stats, plan('apply_layer', d));
  for (let i = 0; i < 3; i++) countPlan(stats, plan('intent_bridge', 'EXECUTE'));
  countPermit(stats, 'apply_layer', { outcome: 'consumed', latencyMs: 100 });
  countPermit(stats, 'apply_layer', { outcome: 'consumed', latencyMs: 300 });
  countPermit(stats, 'intent_bridge', { outcome: 'consumed', latencyMs: 200 });
  countPermit(stats, 'intent_bridge', { outcome: 'blocked' });
  countPermit(stats, 'intent_bridge', { outcome: 'timeout' });
  return stats;
}

describe('simulator stats per producer', () => {
  it('counts plans by producer and decision, and permit outcomes with latency per producer', () => {
    const stats = sampleStats();
    expect(stats.plans).toBe(9);
    expect(stats.byProducer.apply_layer.plansByDecision).toEqual({ EXECUTE: 2, SKIP: 3, BLOCKED: 1, ERROR: 0 });
    expect(stats.byProducer.intent_bridge.plansByDecision).toEqual({ EXECUTE: 3, SKIP: 0, BLOCKED: 0, ERROR: 0 });
    expect(stats.byProducer.apply_layer).toMatchObject({ permitsConsumed: 2, permitsBlocked: 0, permitsTimedOut: 0, permitLatencySumMs: 400, permitLatencyMaxMs: 300 });
    expect(stats.byProducer.intent_bridge).toMatchObject({ permitsConsumed: 1, permitsBlocked: 1, permitsTimedOut: 1, permitLatencyMaxMs: 200 });
  });

  it('an unparsable governor permit is counted apart, without latency', () => {
    const stats = emptyStats();
    countPermit(stats, 'apply_layer', { outcome: 'invalid', latencyMs: 50, permit: 'x' });
    expect(stats.byProducer.apply_layer).toMatchObject({ permitsInvalid: 1, permitsConsumed: 0, permitLatencySumMs: 0 });
    expect(formatProducers(stats)).toContain('invalid 1');
  });

  it('formats one part per producer: decisions seen, consumed with avg/max latency, blocked, timed out', () => {
    const stats = sampleStats();
    expect(formatProducers(stats)).toBe(
      'apply_layer: plans 6 (EXECUTE 2, SKIP 3, BLOCKED 1), permits consumed 2 (avg 200 ms, max 300 ms), blocked 0, timed out 0' +
        ' | intent_bridge: plans 3 (EXECUTE 3), permits consumed 1 (avg 200 ms, max 200 ms), blocked 1, timed out 1',
    );
    stats.elapsedSec = 12.4;
    stats.errors = 1;
    stats.lastError = 'boom';
    expect(formatSummary(stats)).toMatch(/^t\+12s \| ticks 0 \| targets 0 eff 0 market 0 fills 0 \| plans 9 \| apply_layer: .* \| intent_bridge: .* \| redis errors 1 \(last: boom\)$/);
  });

  it('the stats file reads back what was written, and nothing from a missing or foreign file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-stats-'));
    const path = join(dir, 'stats.json');
    expect(readStatsFile(path)).toBeUndefined();
    const stats = sampleStats();
    writeStatsFile(path, stats);
    expect(readStatsFile(path)).toEqual(stats);
    writeFileSync(path, '{"plans": 3}');
    expect(readStatsFile(path)).toBeUndefined();
    writeFileSync(path, '{"byProd');
    expect(readStatsFile(path)).toBeUndefined();
  });
});
