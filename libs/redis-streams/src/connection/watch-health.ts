import type Redis from 'ioredis';
import { watchConnection } from './wait-for-ready';
import { watchLiveness, type LivenessOptions } from './watch-liveness';

/**
 * {@link watchConnection} plus {@link watchLiveness}: `listener(false, reason)` when the
 * connection is lost or stops answering, `listener(true, ...)` when it is ready again. A hung
 * connection is dropped so the client reconnects, and the close that follows would only say
 * "connection closed": the hang stays the reason until the client is ready again, since that is
 * what an operator needs to see. Returns a function that stops watching.
 */
export function watchHealth(client: Redis, listener: (up: boolean, reason: string) => void, options: LivenessOptions = {}): () => void {
  let hung: string | undefined;
  const stopConnection = watchConnection(client, (up, reason) => {
    if (up) hung = undefined;
    listener(up, up ? reason : (hung ?? reason));
  });
  const stopLiveness = watchLiveness(client, {
    ...options,
    onHung: (reason) => {
      hung = reason;
      options.onHung?.(reason);
      listener(false, reason);
    },
  });
  return () => {
    stopLiveness();
    stopConnection();
  };
}
