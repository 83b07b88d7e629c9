import { GOVERNOR_CONFIG, resolveVariables } from '@quantum/config';
import { governorSettings, startWarnings } from './settings';

function settingsOf(env: Record<string, string>) {
  const r = resolveVariables(GOVERNOR_CONFIG, env);
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return governorSettings(r.values);
}

describe('governorSettings: the price source', () => {
  it('none by default', () => {
    expect(settingsOf({}).priceSource).toBeUndefined();
    expect(settingsOf({}).notionalUnknown).toBe('block');
  });

  it('from GOV_PRICE_* (the time may be as far ahead as P31_MAX_FUTURE_SKEW_SEC)', () => {
    expect(settingsOf({ GOV_PRICE_KEY_PATTERN: 'quantum:market:{SYMBOL}:binance_main', GOV_PRICE_FIELD: 'price', GOV_PRICE_MAX_AGE_SEC: '2400', P31_MAX_FUTURE_SKEW_SEC: '5' }).priceSource).toEqual({
      keyPrefix: 'quantum:market:', keySuffix: ':binance_main', field: 'price', tsField: 'ts', maxAgeSec: 2400, maxFutureSkewSec: 5,
    });
  });
});

describe('startWarnings', () => {
  it('warns with the defaults: notional limits on, no price source, policy block', () => {
    expect(startWarnings(settingsOf({}))).toEqual([expect.stringMatching(/no price source is set \(GOV_PRICE_KEY_PATTERN\) and GOV_NOTIONAL_UNKNOWN=block/)]);
    expect(startWarnings(settingsOf({ GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0' }))).toHaveLength(1);
  });

  it.each<[string, Record<string, string>]>([
    ['with a price source', { GOV_PRICE_KEY_PATTERN: 'quantum:market:{SYMBOL}:bybit' }],
    ['with GOV_NOTIONAL_UNKNOWN=allow', { GOV_NOTIONAL_UNKNOWN: 'allow' }],
    ['with both notional limits off', { GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0', GOV_MAX_NOTIONAL_PER_DAY_USD: '0' }],
  ])('is silent %s', (_name, env) => {
    expect(startWarnings(settingsOf(env))).toEqual([]);
  });
});
