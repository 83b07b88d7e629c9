import { MAX_FIELD_BYTES, parsePlan } from './plan';

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
      plan: { planId: '0123456789abcdef', symbol: 'BTCUSDT', decision: 'EXECUTE', action: 'OPEN_PROPOSED', side: 'BUY', killScore: 0.2, qty: 0.5, price: 100 },
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
    [{ qty: '' }, 'missing_qty'],
    [{ price: 'Infinity' }, 'invalid_price'],
    [{ price: '0x10' }, 'invalid_price'],
    [{ price: '-5' }, 'invalid_price'],
    [{ qty: '1e308', price: '10' }, 'notional_overflow'],
    [{ kill_score: '' }, 'missing_kill_score'],
    [{ kill_score: '1.01' }, 'invalid_kill_score'],
    [{ kill_score: '0,5' }, 'invalid_kill_score'],
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

  it('validates numbers of non-EXECUTE plans when present', () => {
    expect(parse({ decision: 'SKIP', qty: 'abc' })).toMatchObject({ ok: false, reason: 'invalid_qty' });
  });
});
