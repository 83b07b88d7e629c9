import { RepeatThrottle } from './repeat-throttle';

describe('RepeatThrottle', () => {
  it('logs a new message at once, the same one again only after the period, counting the silent repeats', () => {
    let now = 1_000;
    const throttle = new RepeatThrottle(30_000, () => now);
    expect(throttle.admit('connection closed')).toBe(0);
    now += 1_000;
    expect(throttle.admit('connection closed')).toBeUndefined();
    now += 1_000;
    expect(throttle.admit('connection closed')).toBeUndefined();
    expect(throttle.admit('OOM command not allowed')).toBe(2);
    now += 30_000;
    expect(throttle.admit('OOM command not allowed')).toBe(0);
  });

  it('after reset() the next failure is logged even when it repeats the last message', () => {
    const throttle = new RepeatThrottle(30_000, () => 0);
    expect(throttle.admit('connection closed')).toBe(0);
    throttle.reset();
    expect(throttle.admit('connection closed')).toBe(0);
  });
});
