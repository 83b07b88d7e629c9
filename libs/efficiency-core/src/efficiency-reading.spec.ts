import { EfficiencyGates, EfficiencyHash, gateEfficiency, readEfficiency, redisErrorReading } from './efficiency-reading';

const NOW = 1_700_000_000;
const GATES: EfficiencyGates = { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 };
const hash = (score: string, confidence: string, ts: string | number): EfficiencyHash => ({ efficiency_score: score, confidence, ts: String(ts) });

describe('readEfficiency (contract §2)', () => {
  it('1. no hash or an empty one → missing_eff', () => {
    for (const h of [null, undefined, {}]) {
      expect(readEfficiency(h, NOW, GATES)).toEqual({ reason: 'missing_eff', usable: false, stale: false, score: undefined, confidence: undefined, ts: undefined });
    }
  });

  it('an inherited property does not make a hash non-empty', () => {
    const h = Object.create({ window: '1' }) as EfficiencyHash;
    expect(readEfficiency(h, NOW, GATES).reason).toBe('missing_eff');
  });

  it.each<[string, EfficiencyHash]>([
    ['score absent', { confidence: '0.9', ts: String(NOW) }],
    ['confidence absent', { efficiency_score: '0.5', ts: String(NOW) }],
    ['ts absent', { efficiency_score: '0.5', confidence: '0.9' }],
    ['only other fields', { window: '3600' }],
    ['score not a decimal', hash('abc', '0.9', NOW)],
    ['score NaN', hash('NaN', '0.9', NOW)],
    ['score Infinity', hash('Infinity', '0.9', NOW)],
    ['score empty', hash('', '0.9', NOW)],
    ['score with spaces', hash(' 0.5', '0.9', NOW)],
    ['score above 1', hash('1.0001', '0.9', NOW)],
    ['score below 0', hash('-0.1', '0.9', NOW)],
    ['confidence above 1', hash('0.5', '1.5', NOW)],
    ['confidence below 0', hash('0.5', '-0.01', NOW)],
    ['confidence not a decimal', hash('0.5', 'high', NOW)],
    ['ts not a decimal', hash('0.5', '0.9', '2023-11-14')],
    ['ts infinite', hash('0.5', '0.9', '1e999')],
    ['ts 60.5 s in the future', hash('0.5', '0.9', NOW + 60.5)],
    ['ts far in the future', hash('0.5', '0.9', NOW + 86400)],
  ])('2. %s → invalid_eff', (_name, h) => {
    expect(readEfficiency(h, NOW, GATES)).toEqual({ reason: 'invalid_eff', usable: false, stale: false, score: undefined, confidence: undefined, ts: undefined });
  });

  it('2. a non-string field (a caller that bypassed the types) → invalid_eff', () => {
    const h = { efficiency_score: 0.5, confidence: '0.9', ts: String(NOW) } as unknown as EfficiencyHash;
    expect(readEfficiency(h, NOW, GATES).reason).toBe('invalid_eff');
  });

  it('ts exactly 60 s in the future is fine', () => {
    expect(readEfficiency(hash('0.5', '0.9', NOW + 60), NOW, GATES).reason).toBe('ok');
  });

  it('accepts a decimal ts and exponent forms', () => {
    expect(readEfficiency(hash('5e-1', '9E-1', '1699999999.5'), NOW, GATES)).toEqual({ reason: 'ok', usable: true, stale: false, score: 0.5, confidence: 0.9, ts: 1699999999.5 });
  });

  it('score and confidence bounds 0 and 1 are valid', () => {
    expect(readEfficiency(hash('0', '1', NOW), NOW, GATES).reason).toBe('ok');
    expect(readEfficiency(hash('1', '1', NOW), NOW, GATES).reason).toBe('ok');
    expect(readEfficiency(hash('0.5', '0', NOW), NOW, GATES).reason).toBe('low_conf');
  });

  it('3. age exactly 600 s is fresh, 600.000001 s is stale (strictly greater)', () => {
    expect(readEfficiency(hash('0.5', '0.9', NOW - 600), NOW, GATES).reason).toBe('ok');
    const stale = readEfficiency(hash('0.5', '0.9', NOW - 600), NOW + 0.000001, GATES);
    expect(stale).toEqual({ reason: 'stale_eff', usable: false, stale: true, score: 0.5, confidence: 0.9, ts: NOW - 600 });
  });

  it('4. confidence exactly 0.65 passes, below is low_conf (values still filled)', () => {
    expect(readEfficiency(hash('0.5', '0.65', NOW), NOW, GATES).usable).toBe(true);
    expect(readEfficiency(hash('0.5', '0.6499', NOW), NOW, GATES)).toEqual({ reason: 'low_conf', usable: false, stale: false, score: 0.5, confidence: 0.6499, ts: NOW });
  });

  it('staleness is checked before confidence', () => {
    expect(readEfficiency(hash('0.5', '0.1', NOW - 601), NOW, GATES).reason).toBe('stale_eff');
  });

  it('invalid beats stale', () => {
    expect(readEfficiency(hash('2', '0.9', NOW - 10_000), NOW, GATES).reason).toBe('invalid_eff');
  });

  it('5. ok is usable', () => {
    expect(readEfficiency(hash('0.2', '0.9', NOW - 10), NOW, GATES)).toEqual({ reason: 'ok', usable: true, stale: false, score: 0.2, confidence: 0.9, ts: NOW - 10 });
  });

  it('6. redis_error reading', () => {
    expect(redisErrorReading()).toEqual({ reason: 'redis_error', usable: false, stale: false, score: undefined, confidence: undefined, ts: undefined });
  });

  it('gateEfficiency applies rules 3–5 to parsed numbers', () => {
    expect(gateEfficiency(0.3, 0.7, NOW, NOW, GATES).reason).toBe('ok');
  });
});
