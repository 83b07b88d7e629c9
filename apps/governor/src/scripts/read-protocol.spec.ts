import { parseReadReply, readCall } from './read-protocol';
import type { PriceSource } from '../price';

const SOURCE: PriceSource = { keyPrefix: 'm:', keySuffix: ':x', field: 'price', tsField: 'ts', maxAgeSec: 60, maxFutureSkewSec: 60 };

describe('read protocol', () => {
  it('the call: form, price fields, count, efficiency keys, then price keys', () => {
    expect(readCall('packed', ['A', 'B'], 'e:', undefined)).toEqual({ args: ['packed', '', '', '2', 'e:A', 'e:B'] });
    expect(readCall('flat', ['A'], 'e:', SOURCE)).toEqual({ args: ['flat', 'price', 'ts', '1', 'e:A', 'm:A:x'] });
  });

  it('a packed reply: Redis time, each symbol\'s lookup and price', () => {
    const packed = ['1700000000', '500000', 'ok', '0.2', '0.9', '1699999990', 'missing', '', '', '', '101.5', '1700000000', '', ''].join('\x1f');
    const reply = parseReadReply(packed, 2, true)!;
    expect(reply.redisNow).toBe(1_700_000_000.5);
    expect(reply.efficiency).toEqual([{ hash: { efficiency_score: '0.2', confidence: '0.9', ts: '1699999990' } }, { hash: null }]);
    expect(reply.prices).toEqual([['101.5', '1700000000'], ['', '']]);
  });

  it('a packed reply with a value holding the separator is read again, flat', () => {
    const packed = ['1700000000', '0', 'ok', '0.2\x1f', '0.9', '1'].join('\x1f');
    expect(parseReadReply(packed, 1, false)).toBeUndefined();
    const flat = parseReadReply(['1700000000', '0', 'ok', '0.2\x1f', '0.9', '1'], 1, false)!;
    expect(flat.efficiency).toEqual([{ hash: { efficiency_score: '0.2\x1f', confidence: '0.9', ts: '1' } }]);
    expect(flat.prices).toEqual([]);
  });
});
