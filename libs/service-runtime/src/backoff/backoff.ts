export interface BackoffOptions {
  /** First delay (default 100 ms). */
  readonly initialMs?: number;
  /** Cap (default 5 000 ms). */
  readonly maxMs?: number;
  /** Growth per failure (default 2). */
  readonly factor?: number;
  /** Fraction of the delay removed at random, 0..1 (default 0.2), so replicas do not retry in step. */
  readonly jitter?: number;
  readonly random?: () => number;
}

/**
 * Capped exponential backoff with jitter for service loops while Redis is away: `next()` after
 * each failure, `reset()` after a success. Delay n (0-based) = min(maxMs, initialMs * factor^n),
 * shortened by up to `jitter` of itself.
 */
export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 5_000;
    this.factor = options.factor ?? 2;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new Error(`Backoff needs 0 < initialMs <= maxMs and factor >= 1 (got ${this.initialMs}, ${this.maxMs}, ${this.factor})`);
    }
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** The delay before the next attempt; counts one more failure. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(this.failures, 64));
    this.failures += 1;
    return Math.max(1, Math.round(base * (1 - this.jitter * this.random())));
  }

  reset(): void {
    this.failures = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts (resolves then; shutdown should not wait out a backoff). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
