import type Redis from 'ioredis';

export interface LivenessOptions {
  /** Between two probes (default 2000 ms). */
  readonly intervalMs?: number;
  /** A probe without a reply for this long means the connection is hung (default 3000 ms). */
  readonly timeoutMs?: number;
  /**
   * Called when a probe got no reply in time, before the connection is dropped: a connection that
   * stops answering (a black hole, a frozen server) never closes by itself.
   */
  readonly onHung?: (reason: string) => void;
}

/**
 * Probes a connection with `PING` while it is ready. A probe without a reply within `timeoutMs`
 * drops the connection (`disconnect(true)`): the client reconnects, commands in flight fail at
 * once instead of waiting forever, and the close is reported like any lost connection. Returns a
 * function that stops probing.
 */
export function watchLiveness(client: Redis, options: LivenessOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 3000;
  let stopped = false;
  let probing = false;
  const probe = () => {
    if (stopped || probing || client.status !== 'ready') return;
    probing = true;
    let answered = false;
    const deadline = setTimeout(() => {
      if (answered || stopped) return;
      options.onHung?.(`redis did not answer PING within ${timeoutMs} ms; reconnecting`);
      client.disconnect(true);
    }, timeoutMs);
    deadline.unref();
    client.ping().then(
      () => undefined,
      () => undefined, // a failed PING is a closed connection, reported by the client itself
    ).finally(() => {
      answered = true;
      probing = false;
      clearTimeout(deadline);
    });
  };
  const timer = setInterval(probe, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
