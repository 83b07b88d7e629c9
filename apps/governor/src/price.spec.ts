import { priceKey, priceSource, sourcePrice } from './price';

const SOURCE = priceSource('quantum:market:{SYMBOL}:bybit', 'price', 'ts', 60, 60)!;
const NOW = 1_796_620_000;

describe('priceSource', () => {
  it('splits the pattern at {SYMBOL}', () => {
    expect(priceKey(SOURCE, 'ETHUSDT')).toBe('quantum:market:ETHUSDT:bybit');
    expect(priceKey(priceSource('{SYMBOL}', 'p', 't', 1, 0)!, 'X')).toBe('X');
  });

  it('is undefined without a pattern', () => {
    expect(priceSource(undefined, 'price', 'ts', 60, 60)).toBeUndefined();
    expect(priceSource('', 'price', 'ts', 60, 60)).toBeUndefined();
  });

  it('refuses a pattern without {SYMBOL} (the config refuses it first)', () => {
    expect(() => priceSource('quantum:market', 'price', 'ts', 60, 60)).toThrow(/holds no \{SYMBOL\}/);
  });
});

describe('sourcePrice', () => {
  it.each<[string, string, string, number | undefined]>([
    ['fresh', '2150.5', String(NOW - 5), 2150.5],
    ['exactly the maximum age', '2150.5', String(NOW - 60), 2150.5],
    ['older than the maximum age', '2150.5', String(NOW - 61), undefined],
    ['a decimal time', '1', String(NOW - 0.5), 1],
    ['a time within the skew ahead', '1', String(NOW + 60), 1],
    ['a time further ahead', '1', String(NOW + 61), undefined],
    ['no price', '', String(NOW), undefined],
    ['no time', '1', '', undefined],
    ['price 0', '0', String(NOW), undefined],
    ['negative price', '-1', String(NOW), undefined],
    ['garbage price', 'abc', String(NOW), undefined],
    ['garbage time', '1', 'yesterday', undefined],
  ])('%s', (_name, rawPrice, rawTs, expected) => {
    expect(sourcePrice(rawPrice, rawTs, NOW, SOURCE)).toBe(expected);
  });
});
