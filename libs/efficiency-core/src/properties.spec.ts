import fc from 'fast-check';
import { allocationMultiplier, AllocationSettings, proposeAllocation } from './allocation';
import { downsizeHint, DownsizeParams } from './downsize';
import { EfficiencyGates, EfficiencyReading, readEfficiency } from './efficiency-reading';

const NOW = 1_700_000_000;
const score = fc.double({ min: 0, max: 1, noNaN: true });
const positive = fc.double({ min: 0.01, max: 10, noNaN: true });

const multiplierParams = fc
  .record({ base: positive, scale: fc.double({ min: 0, max: 10, noNaN: true }), a: positive, b: positive })
  .map(({ base, scale, a, b }) => ({ base, scale, minMult: Math.min(a, b), maxMult: Math.max(a, b) }));

const downsizeParams: fc.Arbitrary<DownsizeParams> = fc.record({
  threshold: fc.double({ min: 0, max: 1, noNaN: true }),
  minFactor: fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }),
  maxExtraCooldownSec: fc.integer({ min: 0, max: 100_000 }),
});

const gates: fc.Arbitrary<EfficiencyGates> = fc.record({
  staleSec: fc.integer({ min: 1, max: 10_000 }),
  minConfidence: fc.double({ min: 0, max: 1, noNaN: true }),
  maxFutureSkewSec: fc.double({ min: 0, max: 1000, noNaN: true }),
});

/** Any hash: valid-looking, broken, partial, empty or absent. */
const anyHash = fc.oneof(
  fc.constant(null),
  fc.constant({}),
  fc.record(
    {
      efficiency_score: fc.oneof(score.map(String), fc.constantFrom('', 'abc', 'NaN', '-0.1', '1.5', '1e999', ' 0.5')),
      confidence: fc.oneof(score.map(String), fc.constantFrom('', 'x', '2')),
      ts: fc.oneof(fc.integer({ min: NOW - 2000, max: NOW + 200 }).map(String), fc.constantFrom('', 'soon', '1e999')),
    },
    { requiredKeys: [] },
  ),
);

const usableReading = (s: number): EfficiencyReading => readEfficiency({ efficiency_score: String(s), confidence: '1', ts: String(NOW) }, NOW, { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 });

describe('properties', () => {
  it('multiplier is within [min, max] and monotone non-decreasing in score', () => {
    fc.assert(
      fc.property(multiplierParams, score, score, (p, s1, s2) => {
        const [lo, hi] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const m1 = allocationMultiplier(usableReading(lo), p);
        const m2 = allocationMultiplier(usableReading(hi), p);
        expect(m1).toBeGreaterThanOrEqual(p.minMult);
        expect(m2).toBeLessThanOrEqual(p.maxMult);
        expect(m1).toBeLessThanOrEqual(m2);
      }),
    );
  });

  it('factor is within [minFactor, 1] and cooldown an integer within [0, max]', () => {
    fc.assert(
      fc.property(downsizeParams, score, (p, s) => {
        const h = downsizeHint(usableReading(s), p);
        expect(h.factor).toBeGreaterThanOrEqual(h.action === 'DOWNSIZE' ? p.minFactor : 1);
        expect(h.factor).toBeLessThanOrEqual(1);
        expect(Number.isInteger(h.extraCooldownSec)).toBe(true);
        expect(h.extraCooldownSec).toBeGreaterThanOrEqual(0);
        expect(h.extraCooldownSec).toBeLessThanOrEqual(p.maxExtraCooldownSec);
        expect(h.action === 'DOWNSIZE').toBe(s < p.threshold);
      }),
    );
  });

  it('an unusable reading gives neutral results; only stale_eff is stale; values filled exactly when parsed', () => {
    fc.assert(
      fc.property(anyHash, gates, multiplierParams, downsizeParams, fc.integer({ min: NOW - 100, max: NOW + 100 }), (hash, g, mp, dp, now) => {
        const r = readEfficiency(hash, now, g);
        expect(r.usable).toBe(r.reason === 'ok');
        expect(r.stale).toBe(r.reason === 'stale_eff');
        const filled = r.reason === 'ok' || r.reason === 'stale_eff' || r.reason === 'low_conf';
        expect(r.score !== undefined && r.confidence !== undefined && r.ts !== undefined).toBe(filled);
        if (!r.usable) {
          expect(allocationMultiplier(r, mp)).toBe(1);
          expect(downsizeHint(r, dp)).toEqual({ action: 'NONE', factor: 1, extraCooldownSec: 0 });
        }
        if (filled) {
          expect(r.score).toBeGreaterThanOrEqual(0);
          expect(r.score).toBeLessThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('is deterministic: the same inputs and now give the same outputs', () => {
    fc.assert(
      fc.property(anyHash, fc.double({ min: 0, max: 1e6, noNaN: true }).map((t) => ({ target_usd: String(t) })), multiplierParams, gates, (hash, target, mp, g) => {
        const settings: AllocationSettings = { ...mp, ...g };
        expect(proposeAllocation(target, hash, NOW, settings)).toEqual(proposeAllocation(target, hash, NOW, settings));
      }),
    );
  });
});
