import { decodeFastRead, decodeRead } from './read-protocol';

describe('decodeRead (flat reply of the read script)', () => {
  it('maps targets, efficiency triples and notes back to symbols', () => {
    // 3 symbols: A normal, B target WRONGTYPE + no efficiency, C no target_usd + efficiency with other fields only
    const reply = [
      '1000', null, null,
      '0.2', '0.9', '1700000000',
      null, null, null,
      null, null, null,
      4,
      2, 'WRONGTYPE Operation against a key holding the wrong kind of value',
      6, 'other_fields',
    ];
    const [a, b, c] = decodeRead(reply, 3);
    expect(a).toEqual({ target: { target_usd: '1000' }, targetError: undefined, efficiency: { efficiency_score: '0.2', confidence: '0.9', ts: '1700000000' } });
    expect(b?.target).toBeNull();
    expect(b?.targetError).toMatch(/WRONGTYPE/);
    expect(b?.efficiency).toBeNull();
    expect(c?.target).toEqual({});
    expect(c?.efficiency).toEqual({ efficiency_score: '', confidence: '', ts: '' });
  });

  it('keeps partial efficiency hashes partial (invalid_eff downstream)', () => {
    const [a] = decodeRead(['5', '0.5', null, '1700000000', 0], 1);
    expect(a?.efficiency).toEqual({ efficiency_score: '0.5', ts: '1700000000' });
  });
});

describe('decodeFastRead (one-string reply of the read script)', () => {
  it('splits 4 fields per symbol, U+001E alone is absent, notes by symbol', () => {
    const data = ['1000', '0.2', '0.9', '1700000000', '\x1e', '\x1e', '\x1e', '\x1e', '', '\x1e', '0.5', '\x1e', '5', '\x1e', '\x1e', '\x1e'].join('\x1f');
    const [a, b, c, d] = decodeFastRead([data, 1, 2, 'WRONGTYPE Operation against a key holding the wrong kind of value', 2, 4, 'other_fields'], 4);
    expect(a).toEqual({ target: { target_usd: '1000' }, targetError: undefined, efficiency: { efficiency_score: '0.2', confidence: '0.9', ts: '1700000000' } });
    expect(b?.target).toBeNull();
    expect(b?.targetError).toMatch(/WRONGTYPE/);
    expect(b?.efficiency).toBeNull();
    expect(c).toEqual({ target: { target_usd: '' }, targetError: undefined, efficiency: { confidence: '0.5' } });
    expect(d).toEqual({ target: { target_usd: '5' }, targetError: undefined, efficiency: { efficiency_score: '', confidence: '', ts: '' } });
  });
});
