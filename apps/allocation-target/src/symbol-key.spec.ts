import { SYMBOL_PATTERN } from '@quantum/config';
import { scanPatternFor, symbolFromKey } from './symbol-key';

const P = 'quantum:allocation:target:';

describe('symbolFromKey', () => {
  it.each([
    ['quantum:allocation:target:BTCUSDT', 'BTCUSDT'],
    ['quantum:allocation:target:a.b_c-9', 'a.b_c-9'],
    [P + 'X'.repeat(40), 'X'.repeat(40)],
  ])('%s -> %s', (key, symbol) => {
    expect(symbolFromKey(key, P)).toBe(symbol);
  });

  it.each([
    'quantum:allocation:target:proposed:BTCUSDT',
    'quantum:allocation:target:a:b',
    'quantum:allocation:target:',
    P + 'X'.repeat(41),
    'quantum:allocation:target:BTC USDT',
    'quantum:allocation:target:BTC/USDT',
    'quantum:allocation:target:BTCÜ',
    'other:BTCUSDT',
    'quantum:allocation:targetBTC',
  ])('%s is not a target key', (key) => {
    expect(symbolFromKey(key, P)).toBeUndefined();
  });

  it('agrees with the contract pattern', () => {
    const samples = ['A', 'a-b', 'x'.repeat(40), 'x'.repeat(41), 'a:b', '', 'é', 'a b', '_', '.'];
    for (const s of samples) expect(symbolFromKey(P + s, P) !== undefined).toBe(SYMBOL_PATTERN.test(s));
  });
});

describe('scanPatternFor', () => {
  it('appends * and escapes glob characters', () => {
    expect(scanPatternFor(P)).toBe('quantum:allocation:target:*');
    expect(scanPatternFor('a*b?[c]\\:')).toBe('a\\*b\\?\\[c\\]\\\\:*');
  });
});
