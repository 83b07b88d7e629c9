import fc from 'fast-check';
import { downsizeHint, formatFixed } from '@quantum/efficiency-core';
import type { PermitSettings } from '@quantum/config';
import { permitBasis, permitFor, readingFor, type EfficiencyLookup } from './permit';
import type { Plan } from './plan';
import { efficiencyLookup } from './scripts/read-protocol';

const NOW = 1_700_000_000.25;
const plan: Plan = { planId: 'abc123', symbol: 'ETHUSDT', decision: 'EXECUTE', action: 'OPEN_PROPOSED', side: 'BUY', killScore: 0.1, qty: 2, price: 50, mayIncreaseExposure: true };
const settings: PermitSettings = {
  gates: { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 },
  downsize: { threshold: 0.45, minFactor: 0.25, maxExtraCooldownSec: 120 },
  enforceDownsize: false,
};
const hash = (score: string, confidence: string, ts: number | string) => ({ hash: { efficiency_score: score, confidence, ts: String(ts) } });

function draft(p: Plan, lookup: EfficiencyLookup, s: PermitSettings, price?: number) {
  return permitFor(p, permitBasis(lookup, NOW, s), s, price ?? p.price);
}
function permit(lookup: EfficiencyLookup, s: PermitSettings = settings, p: Plan = plan): string {
  return draft(p, lookup, s).json;
}

const head = `{"granted":true,"symbol":"ETHUSDT","decision":"EXECUTE","computed_qty":2,"computed_notional":100,"created_at":${NOW},"consumed":false,`;
const neutral = (score: string, conf: string, stale: string, reason: string) =>
  `${head}"eff_score":"${score}","eff_confidence":"${conf}","eff_stale":"${stale}","eff_factor":"1.0000","eff_action":"NONE","eff_reason":"${reason}","downsize_factor":"1.0000","extra_cooldown_sec":"0","plan_id":"abc123"}`;

describe('permitFor: field-exact JSON for every efficiency reason', () => {
  it('ok, no downsize (score at the threshold)', () => {
    expect(permit(hash('0.45', '0.65', NOW - 600))).toBe(neutral('0.4500', '0.650', '0', 'ok'));
  });
  it('ok with downsize: factor 4 decimals, cooldown half to even', () => {
    expect(permit(hash('0.2', '0.9', NOW))).toBe(
      `${head}"eff_score":"0.2000","eff_confidence":"0.900","eff_stale":"0","eff_factor":"0.4444","eff_action":"DOWNSIZE","eff_reason":"ok","downsize_factor":"0.4444","extra_cooldown_sec":"96","plan_id":"abc123"}`,
    );
    expect(JSON.parse(permit(hash('0.0125', '0.9', NOW)))).toMatchObject({ extra_cooldown_sec: '118', eff_factor: '0.2500', eff_score: '0.0125' });
    expect(JSON.parse(permit(hash('1e-05', '0.9', NOW)))).toMatchObject({ eff_score: '0.0000', eff_factor: '0.2500', extra_cooldown_sec: '120' });
  });
  it('missing_eff (no hash)', () => {
    expect(permit({ hash: null })).toBe(neutral('', '', '0', 'missing_eff'));
  });
  it('invalid_eff (unparsable, out of range, too far in the future)', () => {
    expect(permit(hash('abc', '0.9', NOW))).toBe(neutral('', '', '0', 'invalid_eff'));
    expect(permit(hash('1.5', '0.9', NOW))).toBe(neutral('', '', '0', 'invalid_eff'));
    expect(permit(hash('0.5', '0.9', NOW + 61))).toBe(neutral('', '', '0', 'invalid_eff'));
  });
  it('stale_eff: scores filled, eff_stale 1, no downsize', () => {
    expect(permit(hash('0.2', '0.9', NOW - 600.5))).toBe(neutral('0.2000', '0.900', '1', 'stale_eff'));
  });
  it('low_conf: scores filled, no downsize; confidence rounds half to even at 3 decimals', () => {
    expect(permit(hash('0.2', '0.6495', NOW))).toBe(neutral('0.2000', '0.649', '0', 'low_conf'));
  });
  it('redis_error: neutral', () => {
    expect(permit({ error: new Error('WRONGTYPE') })).toBe(neutral('', '', '0', 'redis_error'));
  });
  it('unknown price: computed_notional null', () => {
    expect(JSON.parse(permit({ hash: null }, settings, { ...plan, price: undefined })).computed_notional).toBeNull();
  });
  it('unknown quantity (close_qty 0.0, no qty): computed_qty and computed_notional null, never 0', () => {
    const p = JSON.parse(permit({ hash: null }, settings, { ...plan, qty: undefined }));
    expect(p).toMatchObject({ computed_qty: null, computed_notional: null });
  });
  it('a price from the price source when the plan has none', () => {
    const d = draft({ ...plan, price: undefined }, { hash: null }, settings, 2150.5);
    expect(JSON.parse(d.json)).toMatchObject({ computed_qty: 2, computed_notional: 4301 });
    expect(d.notional).toBe(4301);
  });
  it('a source price whose product with the quantity is not finite: notional unknown', () => {
    const d = draft({ ...plan, qty: 1e308, price: undefined }, { hash: null }, settings, 1e10);
    expect(d.notional).toBeUndefined();
    expect(JSON.parse(d.json).computed_notional).toBeNull();
  });
});

describe('permitFor with P31_ENFORCE_DOWNSIZE=true', () => {
  const enforce = { ...settings, enforceDownsize: true };
  it('scales computed_qty and computed_notional, appends requested_qty', () => {
    const d = draft(plan, hash('0.2', '0.9', NOW), enforce);
    const p = JSON.parse(d.json);
    expect(p.computed_qty).toBeCloseTo(2 * (0.2 / 0.45), 12);
    expect(p.computed_notional).toBeCloseTo(100 * (0.2 / 0.45), 12);
    expect(p.requested_qty).toBe(2);
    expect(Object.keys(p)).toEqual([
      'granted', 'symbol', 'decision', 'computed_qty', 'computed_notional', 'created_at', 'consumed', 'eff_score', 'eff_confidence',
      'eff_stale', 'eff_factor', 'eff_action', 'eff_reason', 'downsize_factor', 'extra_cooldown_sec', 'plan_id', 'requested_qty',
    ]);
    expect(d.notional).toBe(100);
    expect(d.computedNotional).toBeCloseTo(44.444444, 5);
  });
  it('leaves quantities alone when the hint is NONE, still records requested_qty', () => {
    const p = JSON.parse(draft(plan, { hash: null }, enforce).json);
    expect(p).toMatchObject({ computed_qty: 2, computed_notional: 100, requested_qty: 2 });
  });
  it('an unknown quantity stays unknown: computed_qty and requested_qty null', () => {
    const p = JSON.parse(draft({ ...plan, qty: undefined }, hash('0.2', '0.9', NOW), enforce).json);
    expect(p).toMatchObject({ computed_qty: null, computed_notional: null, requested_qty: null, eff_action: 'DOWNSIZE' });
  });
});

describe('permitFor writes exactly the JSON.stringify of the permit object', () => {
  // the object the contract describes, in its key order, serialised by JSON.stringify
  function reference(p: Plan, lookup: EfficiencyLookup, now: number, s: PermitSettings): string {
    const reading = readingFor(lookup, now, s.gates);
    const hint = downsizeHint(reading, s.downsize);
    const qty = p.qty;
    const notional = p.price === undefined || qty === undefined ? undefined : qty * p.price;
    const down = s.enforceDownsize && hint.action === 'DOWNSIZE';
    const permitObject: Record<string, unknown> = {
      granted: true, symbol: p.symbol, decision: 'EXECUTE',
      computed_qty: qty === undefined ? null : down ? qty * hint.factor : qty,
      computed_notional: notional === undefined ? null : down ? notional * hint.factor : notional,
      created_at: now, consumed: false,
      eff_score: formatFixed(reading.score, 4), eff_confidence: formatFixed(reading.confidence, 3), eff_stale: reading.stale ? '1' : '0',
      eff_factor: formatFixed(hint.factor, 4), eff_action: hint.action, eff_reason: reading.reason,
      downsize_factor: formatFixed(hint.factor, 4), extra_cooldown_sec: String(hint.extraCooldownSec), plan_id: p.planId,
    };
    if (s.enforceDownsize) permitObject['requested_qty'] = qty ?? null;
    return JSON.stringify(permitObject);
  }

  const decimal = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }).map(String), fc.constantFrom('0', '1', '0.45', '1e-05', 'abc', '', '2'));
  const lookup: fc.Arbitrary<EfficiencyLookup> = fc.oneof(
    fc.constant({ hash: null }),
    fc.constant({ error: new Error('WRONGTYPE') }),
    fc.record({ efficiency_score: decimal, confidence: decimal, ts: fc.integer({ min: Math.floor(NOW) - 1000, max: Math.floor(NOW) + 100 }).map(String) }).map((hash) => ({ hash })),
  );
  const planArb: fc.Arbitrary<Plan> = fc.record({
    planId: fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), symbol: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
    qty: fc.option(fc.double({ min: 0, max: 1e12, noNaN: true }), { nil: undefined }), price: fc.option(fc.double({ min: 0, max: 1e6, noNaN: true }), { nil: undefined }),
  }).map((r) => ({ ...plan, ...r }));

  it('for any plan, lookup, now and enforcement', () => {
    fc.assert(
      fc.property(planArb, lookup, fc.double({ min: NOW - 10, max: NOW + 10, noNaN: true }), fc.boolean(), (p, l, now, enforceDownsize) => {
        const s = { ...settings, enforceDownsize };
        expect(permitFor(p, permitBasis(l, now, s), s).json).toBe(reference(p, l, now, s));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('efficiencyLookup: the read script reply of one symbol', () => {
  const at = (...pieces: string[]) => efficiencyLookup(['1', '0', ...pieces], 2);
  it.each<[string, string[], string]>([
    ['ok', ['ok', '0.5', '0.9', String(NOW)], 'ok'],
    ['missing', ['missing', '', '', ''], 'missing_eff'],
    ['partial', ['partial', '', '', ''], 'invalid_eff'],
    ['a key of the wrong type is bad data', ['error', 'WRONGTYPE Operation against a key holding the wrong kind of value', '', ''], 'invalid_eff'],
    ['any other error is Redis failing', ['error', 'NOPERM this user has no permissions to access one of the keys', '', ''], 'redis_error'],
  ])('%s', (_name, pieces, reason) => {
    expect(readingFor(at(...pieces), NOW, settings.gates).reason).toBe(reason);
  });
});
