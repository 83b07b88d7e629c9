import { allocationMultiplier, DEFAULT_ALLOCATION_SETTINGS, multiplierForScore, proposeAllocation, proposeFromReading } from './allocation';
import { readEfficiency, redisErrorReading } from './efficiency-reading';

const NOW = 1_700_000_000;
const S = DEFAULT_ALLOCATION_SETTINGS;
const eff = (score: string, confidence = '0.9', ts = NOW - 10) => ({ efficiency_score: score, confidence, ts: String(ts) });

describe('allocationMultiplier (contract §2.1)', () => {
  it.each([
    ['0', 0.5],
    ['0.5', 1.0],
    ['1', 1.5],
    ['0.2', 0.7],
    ['0.75', 1.25],
  ])('score %s → %p', (score, m) => {
    expect(allocationMultiplier(readEfficiency(eff(score), NOW, S), S)).toBeCloseTo(m, 15);
  });

  it('clamps to [P31_MIN_MULT, P31_MAX_MULT]', () => {
    const p = { base: 1, scale: 4, minMult: 0.5, maxMult: 1.5 };
    expect(multiplierForScore(0, p)).toBe(0.5);
    expect(multiplierForScore(1, p)).toBe(1.5);
    expect(multiplierForScore(0.55, p)).toBeCloseTo(1.2, 12);
  });

  it('is neutral 1.0 for every unusable reading', () => {
    for (const r of [readEfficiency(null, NOW, S), readEfficiency(eff('abc'), NOW, S), readEfficiency(eff('0', '0.9', NOW - 601), NOW, S), readEfficiency(eff('0', '0.1'), NOW, S), redisErrorReading()]) {
      expect(allocationMultiplier(r, S)).toBe(1.0);
    }
  });
});

describe('proposeAllocation', () => {
  it('worked example: target 1000, score 0.2 → 700', () => {
    const p = proposeAllocation({ target_usd: '1000' }, eff('0.2'), NOW, S);
    expect(p).toMatchObject({ reason: 'ok', baseTarget: 1000, targetProblem: undefined });
    expect(p.multiplier).toBeCloseTo(0.7, 15);
    expect(p.proposedTarget).toBeCloseTo(700, 10);
    expect(p.reading.score).toBe(0.2);
  });

  it('an unusable reading gives the base target and the reading reason', () => {
    const p = proposeAllocation({ target_usd: '1000' }, eff('0.2', '0.5'), NOW, S);
    expect(p).toMatchObject({ reason: 'low_conf', multiplier: 1, baseTarget: 1000, proposedTarget: 1000 });
    expect(p.reading.confidence).toBe(0.5);
  });

  it('stale data is flagged', () => {
    const p = proposeAllocation({ target_usd: '10' }, eff('0.9', '0.9', NOW - 700), NOW, S);
    expect(p).toMatchObject({ reason: 'stale_eff', multiplier: 1, proposedTarget: 10 });
    expect(p.reading.stale).toBe(true);
  });

  it.each([[{}], [{ target_usd: '-5' }], [{ target_usd: 'x' }], [null]])('invalid target %j → invalid_target, no proposal', (target) => {
    const p = proposeAllocation(target, eff('1'), NOW, S);
    expect(p).toMatchObject({ reason: 'invalid_target', multiplier: 1.5, baseTarget: undefined, proposedTarget: undefined });
    expect(typeof p.targetProblem).toBe('string');
    expect(p.reading.reason).toBe('ok');
  });

  it('a proposal that overflows is an invalid target', () => {
    const p = proposeAllocation({ target_usd: '1.7e308' }, eff('1'), NOW, S);
    expect(p).toMatchObject({ reason: 'invalid_target', proposedTarget: undefined, targetProblem: 'target_usd * multiplier overflows' });
  });

  it('proposeFromReading uses a redis_error reading as given', () => {
    expect(proposeFromReading({ target_usd: '5' }, redisErrorReading(), S)).toMatchObject({ reason: 'redis_error', multiplier: 1, proposedTarget: 5 });
  });
});
