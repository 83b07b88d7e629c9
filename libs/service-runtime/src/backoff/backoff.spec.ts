import { Backoff, sleep } from './backoff';

describe('Backoff', () => {
  it('doubles from 100 ms to a 5 s cap and starts over after reset', () => {
    const backoff = new Backoff({ random: () => 0 });
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(backoff.attempts).toBe(8);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('jitter only shortens, by at most the fraction', () => {
    const backoff = new Backoff({ initialMs: 1000, maxMs: 1000, jitter: 0.5, random: () => 0.999999 });
    expect(backoff.next()).toBe(500);
  });

  it('refuses nonsense settings', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(/initialMs/);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(/maxMs/);
  });
});

describe('sleep', () => {
  it('ends early when aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    controller.abort();
    await pending;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
