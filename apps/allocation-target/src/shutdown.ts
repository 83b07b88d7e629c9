import type Redis from 'ioredis';
import { closeClient } from '@quantum/redis-streams';
import { settlesWithin } from '@quantum/service-runtime';

/** How long the loop in hand may take to finish before its connection is dropped under it. */
export const LOOP_FINISH_GRACE_MS = 5_000;
/** How long a QUIT may wait for its reply. */
const QUIT_WAIT_MS = 1_000;

export interface Stoppable {
  stop(): Promise<void>;
}

export interface ShutdownParts {
  readonly service: Stoppable;
  readonly server: Stoppable;
  readonly client: Redis;
  /** Stops the connection watchers (no wake-up, no liveness drop while closing). */
  readonly stopWatching: () => void;
  readonly log: { warn(message: string, meta?: Record<string, unknown>): unknown };
}

/**
 * Stops in an order that fits the 10 s the process has after SIGTERM, whatever state Redis is
 * in: the loop in hand may finish for `LOOP_FINISH_GRACE_MS`; a loop still waiting then (Redis
 * hung, each command allowed 10 s) has its connection dropped, which fails its commands at once.
 * Then the metrics server closes and the connection is quit where it answers, else dropped (a
 * QUIT to a Redis that is away would wait for nothing).
 */
export async function shutDown(parts: ShutdownParts): Promise<void> {
  parts.stopWatching();
  const stopping = parts.service.stop();
  if (!(await settlesWithin(stopping, LOOP_FINISH_GRACE_MS))) {
    parts.log.warn('the loop in hand did not finish in time; dropping the Redis connection', { waited_ms: LOOP_FINISH_GRACE_MS });
    parts.client.disconnect();
    await stopping;
  }
  await parts.server.stop();
  await closeClient(parts.client, QUIT_WAIT_MS);
}
