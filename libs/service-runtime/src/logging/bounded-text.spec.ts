import { boundedText, MAX_QUOTED_CHARS } from './bounded-text';

describe('boundedText', () => {
  it('keeps a short text as it is', () => {
    expect(boundedText('target_usd "abc" is not a plain finite decimal')).toBe('target_usd "abc" is not a plain finite decimal');
    expect(boundedText('x'.repeat(MAX_QUOTED_CHARS))).toBe('x'.repeat(MAX_QUOTED_CHARS));
  });

  it('cuts a long text and says how long it was', () => {
    const cut = boundedText('y'.repeat(1_000_000));
    expect(cut).toBe(`${'y'.repeat(MAX_QUOTED_CHARS)}... (1000000 characters)`);
    expect(boundedText('abcdef', 3)).toBe('abc... (6 characters)');
  });

  it('does not split a surrogate pair', () => {
    const text = `ab${'\u{1F600}'.repeat(4)}`; // 2 + 8 UTF-16 units
    const cut = boundedText(text, 3);
    expect(cut).toBe('ab... (10 characters)');
    expect(boundedText(text, 4)).toBe(`ab${'\u{1F600}'}... (10 characters)`);
  });
});
