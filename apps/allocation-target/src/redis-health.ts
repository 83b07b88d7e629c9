import type Redis from 'ioredis';
import type { ReadinessState } from '@quantum/metrics';
import { watchHealth } from '@quantum/redis-streams';
import { boundedText } from '@quantum/service-runtime';

export interface RedisHealthLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface RedisHealthOptions {
  readonly readiness: ReadinessState;
  readonly log: RedisHealthLogger;
  /** The connection is (back) up: e.g. run a failed loop's retry now. */
  readonly onUp: () => void;
}

/**
 * Keeps the `redis` readiness component true to the connection: down with the client's error
 * when it closes (before the first connection, each distinct error, e.g. `connect ECONNREFUSED
 * ...`), down when it stops answering although it is open (a black hole: probed by PING, then
 * dropped so that the client reconnects and the loop's commands fail instead of waiting), and up
 * when the client is ready again. Returns a function that stops watching.
 */
export function watchRedisHealth(client: Redis, options: RedisHealthOptions): () => void {
  const { readiness, log } = options;
  return watchHealth(
    client,
    (up, reason) => {
      readiness.set('redis', up, up ? 'connected' : boundedText(reason));
      if (up) options.onUp();
    },
    // watchLiveness's defaults, as for the governor: PING every 2 s, hung after 3 s without a reply
    { onHung: (reason) => log.warn('redis connection hung', { reason }) },
  );
}
