import { parseTarget } from './target';

describe('parseTarget', () => {
  it.each([
    [{ target_usd: '1000' }, 1000],
    [{ target_usd: '0' }, 0],
    [{ target_usd: '12.5', confidence: '0.9', mode: 'live' }, 12.5],
    [{ target_usd: '1e3' }, 1000],
  ])('%j → %p', (hash, value) => {
    expect(parseTarget(hash)).toEqual({ ok: true, baseTarget: value });
  });

  it.each([
    [null, 'target_usd is missing'],
    [undefined, 'target_usd is missing'],
    [{}, 'target_usd is missing'],
    [{ target_usd: 'abc' }, 'target_usd "abc" is not a plain finite decimal'],
    [{ target_usd: 'NaN' }, 'target_usd "NaN" is not a plain finite decimal'],
    [{ target_usd: '1e999' }, 'target_usd "1e999" is not a plain finite decimal'],
    [{ target_usd: '' }, 'target_usd "" is not a plain finite decimal'],
    [{ target_usd: '-1' }, 'target_usd "-1" is negative'],
  ])('%j is invalid: %s', (hash, problem) => {
    expect(parseTarget(hash)).toEqual({ ok: false, problem });
  });

  it('a non-string target_usd is invalid', () => {
    expect(parseTarget({ target_usd: 5 } as unknown as Record<string, string>)).toEqual({ ok: false, problem: 'target_usd is not a string' });
  });
});
