/**
 * When each key (a symbol) was last touched, kept in the order of the last touch, so that the
 * keys idle for `idleMs` are found from the front without looking at the others: touching is
 * O(1) and a sweep is O(keys it returns), however many keys are tracked.
 */
export class IdleTracker {
  /** Key to its last touch; Map order = order of last touch (a touch moves the key to the end). */
  private readonly touched = new Map<string, number>();

  /** `idleMs`: a key not touched for at least this long is idle (above 0). */
  constructor(readonly idleMs: number) {
    if (!(idleMs > 0) || !Number.isFinite(idleMs)) throw new RangeError(`idle time must be a finite number of ms above 0, got ${idleMs}`);
  }

  get size(): number {
    return this.touched.size;
  }

  /** Notes that `key` was touched at `nowMs` (a clock that does not go back). */
  touch(key: string, nowMs: number): void {
    this.touched.delete(key);
    this.touched.set(key, nowMs);
  }

  /** Forgets `key` (it was removed otherwise). */
  forget(key: string): void {
    this.touched.delete(key);
  }

  /** Forgets and returns the keys idle at `nowMs`, least recently touched first. */
  takeIdle(nowMs: number): string[] {
    const idle: string[] = [];
    const cutoff = nowMs - this.idleMs;
    for (const [key, at] of this.touched) {
      if (at > cutoff) break;
      idle.push(key);
      // deleting the entry just visited does not disturb a Map iteration
      this.touched.delete(key);
    }
    return idle;
  }

  clear(): void {
    this.touched.clear();
  }
}
