export interface BackoffOptions {
  /** First delay (default 100 ms). */
  readonly initialMs?: number;
  /** Cap (default 5 000 ms). */
  readonly maxMs?: number;
  /** Fraction of the delay removed at random, 0..1 (default 0.2), so replicas do not retry in step. */
  readonly jitter?: number;
  readonly random?: () => number;
}

/**
 * The one backoff of the workspace, for whatever waits while Redis is away (the client's
 * reconnects, `reconnectDelay`; the stream consumer's failed iterations): capped exponential
 * with jitter. Delay n (0-based) = min(maxMs, initialMs * 2^n), shortened at random by up to
 * `jitter` of itself, at least 1 ms. `next()` after each failure, `reset()` after a success;
 * `delay(n)` for callers that count the attempts themselves.
 */
export class Backoff {
  private failures = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 100;
    this.maxMs = options.maxMs ?? 5_000;
    this.jitter = Math.min(Math.max(options.jitter ?? 0.2, 0), 1);
    this.random = options.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs > 0)) {
      throw new RangeError(`Backoff needs initialMs > 0 and maxMs > 0 (got ${this.initialMs}, ${this.maxMs})`);
    }
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.failures;
  }

  /** Delay n (0-based; below 0 counts as 0), without counting a failure. */
  delay(n: number): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(Math.max(n, 0), 30));
    return Math.max(1, Math.round(base * (1 - this.jitter * this.random())));
  }

  /** The delay before the next attempt; counts one more failure. */
  next(): number {
    const ms = this.delay(this.failures);
    this.failures += 1;
    return ms;
  }

  reset(): void {
    this.failures = 0;
  }
}
