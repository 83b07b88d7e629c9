import { DEFAULT_DOWNSIZE_PARAMS, downsizeForScore, downsizeHint } from './downsize';
import { EfficiencyGates, readEfficiency, redisErrorReading } from './efficiency-reading';

const NOW = 1_700_000_000;
const G: EfficiencyGates = { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 };
const P = DEFAULT_DOWNSIZE_PARAMS;
const hintFor = (score: string, confidence = '0.9', ts = NOW - 10) => downsizeHint(readEfficiency({ efficiency_score: score, confidence, ts: String(ts) }, NOW, G), P);

describe('downsizeHint (contract §2.2)', () => {
  it('score 0.2 → factor 0.4444…, cooldown 96', () => {
    const h = hintFor('0.2');
    expect(h.action).toBe('DOWNSIZE');
    expect(h.factor).toBeCloseTo(0.2 / 0.45, 15);
    expect(h.factor).toBeCloseTo(0.4444444444444444, 15);
    expect(h.extraCooldownSec).toBe(96);
  });

  it('score 0.0125 → cooldown 118 (118.5 half to even)', () => {
    expect((1 - 0.0125) * 120).toBe(118.5);
    expect(hintFor('0.0125')).toEqual({ action: 'DOWNSIZE', factor: 0.25, extraCooldownSec: 118 });
  });

  it('score 0.05 → factor 0.25 (floor), cooldown 114', () => {
    expect(hintFor('0.05')).toEqual({ action: 'DOWNSIZE', factor: 0.25, extraCooldownSec: 114 });
  });

  it('score exactly 0.45 does not downsize; just below does', () => {
    expect(hintFor('0.45')).toEqual({ action: 'NONE', factor: 1, extraCooldownSec: 0 });
    expect(hintFor('0.4499').action).toBe('DOWNSIZE');
  });

  it('score 0 → minimum factor and the full cooldown', () => {
    expect(hintFor('0')).toEqual({ action: 'DOWNSIZE', factor: 0.25, extraCooldownSec: 120 });
  });

  it('every unusable reading → NONE, 1.0, 0', () => {
    for (const r of [
      readEfficiency(null, NOW, G),
      readEfficiency({ efficiency_score: '0.1' }, NOW, G),
      readEfficiency({ efficiency_score: '0.1', confidence: '0.9', ts: String(NOW - 601) }, NOW, G),
      readEfficiency({ efficiency_score: '0.1', confidence: '0.6', ts: String(NOW) }, NOW, G),
      redisErrorReading(),
    ]) {
      expect(downsizeHint(r, P)).toEqual({ action: 'NONE', factor: 1, extraCooldownSec: 0 });
    }
  });

  it('a threshold of 0 never downsizes (no division by zero)', () => {
    expect(downsizeForScore(0, { threshold: 0, minFactor: 0.25, maxExtraCooldownSec: 120 }).action).toBe('NONE');
  });

  it('score above the threshold does not downsize', () => {
    expect(downsizeForScore(0.9, P).action).toBe('NONE');
  });
});
