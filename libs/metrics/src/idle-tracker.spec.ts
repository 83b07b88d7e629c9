import { IdleTracker } from './idle-tracker';

describe('IdleTracker (fake clock)', () => {
  it('returns the keys not touched for the idle time, oldest first, once', () => {
    const t = new IdleTracker(1000);
    t.touch('A', 0);
    t.touch('B', 100);
    t.touch('C', 200);
    expect(t.takeIdle(999)).toEqual([]);
    expect(t.takeIdle(1000)).toEqual(['A']);
    expect(t.takeIdle(1000)).toEqual([]);
    // a touch moves the key to the back
    t.touch('B', 1150);
    expect(t.takeIdle(2000)).toEqual(['C']);
    expect(t.size).toBe(1);
    expect(t.takeIdle(5000)).toEqual(['B']);
    expect(t.size).toBe(0);
    // an idle key touched again is tracked again
    t.touch('A', 6000);
    expect(t.takeIdle(6999)).toEqual([]);
    expect(t.takeIdle(7000)).toEqual(['A']);
  });

  it('stops at the first active key: a sweep looks only at what it removes', () => {
    const t = new IdleTracker(10);
    for (let i = 0; i < 100_000; i++) t.touch(`S${i}`, 1000 + i);
    let visited = 0;
    const entries = Map.prototype[Symbol.iterator];
    const spy = jest.spyOn(Map.prototype, Symbol.iterator).mockImplementation(function (this: Map<unknown, unknown>) {
      const it = entries.call(this);
      return {
        next: () => {
          visited += 1;
          return it.next();
        },
        [Symbol.iterator]() {
          return this;
        },
      } as MapIterator<[unknown, unknown]>;
    });
    try {
      expect(t.takeIdle(1012)).toEqual(['S0', 'S1', 'S2']);
    } finally {
      spy.mockRestore();
    }
    expect(visited).toBe(4);
    expect(t.size).toBe(100_000 - 3);
  });

  it('forgets and clears', () => {
    const t = new IdleTracker(10);
    t.touch('A', 0);
    t.touch('B', 0);
    t.forget('A');
    expect(t.takeIdle(100)).toEqual(['B']);
    t.touch('C', 0);
    t.clear();
    expect(t.size).toBe(0);
  });

  it('needs an idle time above 0', () => {
    for (const ms of [0, -1, NaN, Infinity]) expect(() => new IdleTracker(ms)).toThrow(RangeError);
  });
});
