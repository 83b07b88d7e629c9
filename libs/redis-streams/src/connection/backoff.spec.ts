import { Backoff } from './backoff';

describe('Backoff', () => {
  it('doubles from 100 ms to a 5 s cap and starts over after reset', () => {
    const backoff = new Backoff({ random: () => 0 });
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(backoff.attempts).toBe(8);
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('jitter only shortens, by at most the fraction', () => {
    expect(new Backoff({ initialMs: 1000, maxMs: 1000, random: () => 0.999999 }).next()).toBe(800);
    expect(new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.999999 }).next()).toBe(500);
    expect(new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0 }).next()).toBe(1000);
  });

  it('delay(n) is the nth delay without counting it; never below 1 ms; an initial delay above the cap is the cap', () => {
    const backoff = new Backoff({ maxMs: 1000, random: () => 0 });
    expect([-1, 0, 1, 3, 4, 1000].map((n) => backoff.delay(n))).toEqual([100, 100, 200, 800, 1000, 1000]);
    expect(backoff.attempts).toBe(0);
    expect(new Backoff({ initialMs: 0.1, jitter: 1, random: () => 0.999999 }).next()).toBe(1);
    expect(new Backoff({ initialMs: 300, maxMs: 200, random: () => 0 }).next()).toBe(200);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(/initialMs/);
    expect(() => new Backoff({ maxMs: Number.NaN })).toThrow(/maxMs/);
  });
});
