import { MAX_FIELD_BYTES, parseEntryPlan, parsePlan } from './plan';

const base: Record<string, string> = {
  plan_id: '0123456789abcdef', symbol: 'BTCUSDT', action: 'OPEN_PROPOSED', decision: 'EXECUTE',
  kill_score: '0.2', side: 'BUY', qty: '0.5', price: '100', timestamp: '1700000000', steps: '[{"x":1}]',
};
const flat = (o: Record<string, string | undefined>) => Object.entries(o).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
const parse = (overrides: Record<string, string | undefined>) => parsePlan(flat({ ...base, ...overrides }));

describe('parsePlan', () => {
  it('parses a valid EXECUTE plan', () => {
    expect(parse({})).toEqual({
      ok: true,
      plan: { planId: '0123456789abcdef', symbol: 'BTCUSDT', decision: 'EXECUTE', action: 'OPEN_PROPOSED', side: 'BUY', killScore: 0.2, qty: 0.5, price: 100, mayIncreaseExposure: true },
    });
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['empty price is unknown', { price: '' }],
    ['absent price is unknown', { price: undefined }],
    ['exponent numbers', { qty: '1e-5', price: '2E3' }],
    ['symbols with . _ -', { symbol: '1000PEPE_USDT.P-1' }],
    ['40-character symbol', { symbol: 'A'.repeat(40) }],
    ['SKIP without numbers', { decision: 'SKIP', qty: '', kill_score: '', price: '' }],
    ['ignored fields may be large', { steps: 'x'.repeat(5000) }],
    ['kill_score exactly 1', { kill_score: '1' }],
  ])('accepts: %s', (_name, overrides) => {
    expect(parse(overrides).ok).toBe(true);
  });

  it.each<[Record<string, string | undefined>, string]>([
    [{ plan_id: undefined }, 'missing_plan_id'],
    [{ plan_id: '' }, 'missing_plan_id'],
    [{ plan_id: 'a b' }, 'invalid_plan_id'],
    [{ plan_id: 'a{b}' }, 'invalid_plan_id'],
    [{ plan_id: 'x'.repeat(129) }, 'invalid_plan_id'],
    [{ symbol: undefined }, 'missing_symbol'],
    [{ symbol: 'BTC:USDT' }, 'invalid_symbol'],
    [{ symbol: 'A'.repeat(41) }, 'invalid_symbol'],
    [{ symbol: 'BTC USDT' }, 'invalid_symbol'],
    [{ decision: undefined }, 'missing_decision'],
    [{ decision: 'EXEC UTE' }, 'invalid_decision'],
    [{ qty: 'abc' }, 'invalid_qty'],
    [{ qty: '-1' }, 'invalid_qty'],
    [{ qty: 'NaN' }, 'invalid_qty'],
    [{ qty: '.5' }, 'invalid_qty'],
    [{ qty: ' 1' }, 'invalid_qty'],
    [{ price: 'Infinity' }, 'invalid_price'],
    [{ price: '0x10' }, 'invalid_price'],
    [{ price: '-5' }, 'invalid_price'],
    [{ qty: '1e308', price: '10' }, 'notional_overflow'],
    [{ kill_score: '1.01' }, 'invalid_kill_score'],
    [{ kill_score: '0,5' }, 'invalid_kill_score'],
    [{ kill_score: '-0.1' }, 'invalid_kill_score'],
    [{ decision: 'SKIP', kill_score: '2' }, 'invalid_kill_score'],
    [{ close_qty: 'abc' }, 'invalid_close_qty'],
    [{ close_qty: '-1' }, 'invalid_close_qty'],
    [{ reduceOnly: 'yes' }, 'invalid_reduce_only'],
    [{ reduceOnly: 'constructor' }, 'invalid_reduce_only'],
    [{ reduceOnly: 'TRUE ' }, 'invalid_reduce_only'],
    [{ side: 'x'.repeat(MAX_FIELD_BYTES + 1) }, 'field_too_large:side'],
    [{ action: 'é'.repeat(129) }, 'field_too_large:action'],
    [{ steps: 'x'.repeat(70000) }, 'entry_too_large'],
  ])('refuses %j as %s', (overrides, reason) => {
    expect(parse(overrides)).toMatchObject({ ok: false, reason });
  });

  it('refuses a read field given twice and an odd field list, keeping what it could read', () => {
    expect(parsePlan([...flat(base), 'qty', '2'])).toMatchObject({ ok: false, reason: 'duplicate_field:qty', planId: base['plan_id'], symbol: 'BTCUSDT' });
    expect(parsePlan([...flat(base), 'dangling'])).toMatchObject({ ok: false, reason: 'odd_field_count' });
  });

  it('duplicate close_qty is refused like any read field', () => {
    expect(parsePlan([...flat(base), 'close_qty', '1', 'close_qty', '2'])).toMatchObject({ ok: false, reason: 'duplicate_field:close_qty' });
  });

  it('validates numbers of non-EXECUTE plans when present', () => {
    expect(parse({ decision: 'SKIP', qty: 'abc' })).toMatchObject({ ok: false, reason: 'invalid_qty' });
  });
});

/** The two real producers' entries, exactly as UPSTREAM.md shows them. */
const APPLY_LAYER = [
  'plan_id', '3f9a1c07d2b84e61', 'symbol', 'ETHUSDT', 'action', 'PARTIAL_50', 'kill_score', '0.412',
  'k_regime_flip', '0.1', 'k_sigma_spike', '0.3', 'k_ts_drop', '0.0', 'k_age_penalty', '0.05', 'new_sl_proposed', '',
  'R_net', '1.8', 'decision', 'EXECUTE', 'reason_codes', '',
  'steps', '[{"step": "CLOSE_PARTIAL_50", "type": "market_reduce_only", "side": "close", "pct": 50.0}]',
  'close_qty', '0.0', 'price', '', 'timestamp', '1796620000',
];
const INTENT_BRIDGE = [
  'plan_id', '9c41e0b7a2d35f88', 'decision', 'EXECUTE', 'symbol', 'SOLUSDT', 'side', 'BUY', 'type', 'MARKET', 'qty', '1.25',
  'reduceOnly', 'false', 'source', 'intent_bridge', 'signature', 'intent_bridge', 'timestamp', '1796620003',
];
const withField = (fields: readonly string[], name: string, value: string) => {
  const out = [...fields];
  const at = out.indexOf(name);
  if (at >= 0 && at % 2 === 0) out[at + 1] = value;
  else out.push(name, value);
  return out;
};

describe('parsePlan: the real producers (contract §1.1)', () => {
  it('an apply-layer close: no qty (close_qty 0.0 is unknown), no price, cannot increase exposure', () => {
    expect(parsePlan(APPLY_LAYER)).toEqual({
      ok: true,
      plan: { planId: '3f9a1c07d2b84e61', symbol: 'ETHUSDT', decision: 'EXECUTE', action: 'PARTIAL_50', side: '', killScore: 0.412, qty: undefined, price: undefined, mayIncreaseExposure: false },
    });
  });

  it.each(['FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25', 'UPDATE_SL'])('%s cannot increase exposure', (action) => {
    expect(parsePlan(withField(APPLY_LAYER, 'action', action))).toMatchObject({ ok: true, plan: { mayIncreaseExposure: false } });
  });

  it.each(['HOLD', 'OPEN_PROPOSED', ''])('action %j may increase exposure', (action) => {
    expect(parsePlan(withField(APPLY_LAYER, 'action', action))).toMatchObject({ ok: true, plan: { mayIncreaseExposure: true } });
  });

  it('close_qty above 0 is the quantity when there is no qty', () => {
    expect(parsePlan(withField(APPLY_LAYER, 'close_qty', '0.75'))).toMatchObject({ ok: true, plan: { qty: 0.75 } });
  });

  it('qty wins over close_qty', () => {
    expect(parsePlan(withField(withField(APPLY_LAYER, 'close_qty', '0.75'), 'qty', '2'))).toMatchObject({ ok: true, plan: { qty: 2 } });
  });

  it('an intent-bridge open: qty, no kill score, no action, may increase exposure', () => {
    expect(parsePlan(INTENT_BRIDGE)).toEqual({
      ok: true,
      plan: { planId: '9c41e0b7a2d35f88', symbol: 'SOLUSDT', decision: 'EXECUTE', action: '', side: 'BUY', killScore: undefined, qty: 1.25, price: undefined, mayIncreaseExposure: true },
    });
  });

  it.each([['true', false], ['True', false], ['1', false], ['false', true], ['False', true], ['0', true], ['', true]])(
    'intent bridge reduceOnly=%j: may increase exposure %p', (value, may) => {
      expect(parsePlan(withField(INTENT_BRIDGE, 'reduceOnly', value))).toMatchObject({ ok: true, plan: { mayIncreaseExposure: may } });
    },
  );

  it('a garbage value of a field the producer does send is still malformed', () => {
    expect(parsePlan(withField(INTENT_BRIDGE, 'qty', 'lots'))).toMatchObject({ ok: false, reason: 'invalid_qty', planId: '9c41e0b7a2d35f88' });
    expect(parsePlan(withField(APPLY_LAYER, 'kill_score', 'nan'))).toMatchObject({ ok: false, reason: 'invalid_kill_score' });
  });
});

describe('parseEntryPlan', () => {
  it('is parsePlan for an entry read whole', () => {
    expect(parseEntryPlan({ fields: flat(base) })).toEqual(parsePlan(flat(base)));
  });

  it('an entry with a cut value is entry_too_large, naming its plan_id and symbol when readable', () => {
    const fields = flat({ ...base, steps: 'x'.repeat(256) });
    expect(parseEntryPlan({ fields, cut: [{ index: 19, bytes: 100_000_000 }] })).toEqual({ ok: false, reason: 'entry_too_large', planId: '0123456789abcdef', symbol: 'BTCUSDT' });
    const cutId = flat({ ...base, plan_id: 'p'.repeat(256) });
    expect(parseEntryPlan({ fields: cutId, cut: [{ index: 1, bytes: 600_000_000 }] })).toEqual({ ok: false, reason: 'entry_too_large', planId: '', symbol: 'BTCUSDT' });
  });
});
