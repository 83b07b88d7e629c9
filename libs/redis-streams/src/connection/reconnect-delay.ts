import { Backoff, type BackoffOptions } from './backoff';

/**
 * Reconnect delays: 100 ms doubling to a 1 s cap, each reduced by up to 20 % at random (jitter).
 * The cap is low on purpose: a service resumes within about a second of Redis coming back (the
 * loop and the consumer cannot work before the client has reconnected), while one connection
 * attempt a second to a Redis that is down is no busy loop.
 */
export type ReconnectDelayOptions = BackoffOptions;

/** An ioredis `retryStrategy` (attempt 1, 2, ...) on {@link Backoff}: never gives up (returns a delay for every attempt). */
export function reconnectDelay(options: ReconnectDelayOptions = {}): (attempt: number) => number {
  const backoff = new Backoff({ ...options, maxMs: options.maxMs ?? 1_000 });
  return (attempt: number) => backoff.delay(attempt - 1);
}
