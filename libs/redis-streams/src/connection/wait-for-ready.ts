import type Redis from 'ioredis';

/** Resolves when the client is ready, rejects after `timeoutMs` with the client status in the message. */
export function waitForReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`redis not ready after ${timeoutMs} ms (status ${client.status})`));
    }, timeoutMs);
    client.once('ready', onReady);
  });
}

/**
 * Calls `listener(true, ...)` when the client becomes ready and `listener(false, reason)` when
 * the connection is lost (once per change, not per failed reconnect attempt), at once with the
 * current state; for readiness reporting. Before the first successful connection, each new
 * distinct connection error is reported again as `listener(false, message)`, so the reason says
 * why (e.g. a TLS certificate error) instead of "status connecting". Returns a function that stops listening.
 */
export function watchConnection(client: Redis, listener: (up: boolean, reason: string) => void): () => void {
  let lastError = 'connection closed';
  let state: boolean | undefined;
  const report = (up: boolean, reason: string) => {
    if (state === up) return;
    state = up;
    listener(up, reason);
  };
  const onReady = () => {
    everUp = true;
    report(true, 'connected');
  };
  let everUp = false;
  let reported = '';
  const onError = (error: Error) => {
    lastError = error.message;
    // Until the first connection, the reason is only "status connecting": replace it with the
    // error that keeps the connection from being made (wrong CA, WRONGPASS, ...), once per
    // distinct message. After the first connection, only up/down changes are reported.
    if (!everUp && state === false && error.message !== reported) {
      reported = error.message;
      listener(false, error.message);
    }
  };
  const onClose = () => report(false, lastError);
  client.on('ready', onReady);
  client.on('error', onError);
  client.on('close', onClose);
  if (client.status === 'ready') onReady();
  else report(false, `status ${client.status}`);
  return () => {
    client.off('ready', onReady);
    client.off('error', onError);
    client.off('close', onClose);
  };
}
