/**
 * Reconnect delays: 100 ms doubling to a 1 s cap, each reduced by up to 20 % at random (jitter).
 * The cap is low on purpose: a service resumes within about a second of Redis coming back (the
 * loop and the consumer cannot work before the client has reconnected), while one connection
 * attempt a second to a Redis that is down is no busy loop.
 */
export interface ReconnectDelayOptions {
  readonly initialMs?: number;
  readonly maxMs?: number;
  readonly jitter?: number;
  readonly random?: () => number;
}

/** An ioredis `retryStrategy`: never gives up (returns a delay for every attempt). */
export function reconnectDelay(options: ReconnectDelayOptions = {}): (attempt: number) => number {
  const initialMs = options.initialMs ?? 100;
  const maxMs = options.maxMs ?? 1_000;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  return (attempt: number) => {
    const exponent = Math.min(Math.max(attempt - 1, 0), 30);
    const base = Math.min(maxMs, initialMs * 2 ** exponent);
    return Math.max(1, Math.round(base * (1 - jitter * random())));
  };
}
