export interface ShutdownLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface ShutdownOptions {
  /** How long the handler may take before the process is forced out with exit code 1 (default 10 000 ms). */
  readonly timeoutMs?: number;
  readonly logger?: ShutdownLogger;
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Default `process.exit`; injected by tests. */
  readonly exit?: (code: number) => void;
  /** Default `process`; injected by tests. */
  readonly target?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * On the first SIGTERM/SIGINT calls `handler` once (finish the message or loop in hand, close
 * connections) and exits 0 when it resolves, 1 when it rejects or is still running after
 * `timeoutMs`. A second signal exits 1 at once. Returns a function that removes the listeners.
 */
export function onShutdownSignal(handler: (signal: NodeJS.Signals) => Promise<void> | void, options: ShutdownOptions = {}): () => void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const target = options.target ?? process;
  const logger = options.logger;
  let shuttingDown = false;

  const listener = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger?.error('second signal during shutdown, exiting now', { signal });
      exit(1);
      return;
    }
    shuttingDown = true;
    logger?.info('shutting down', { signal, timeout_ms: timeoutMs });
    const timer = setTimeout(() => {
      logger?.error('shutdown did not finish in time, forcing exit', { signal, timeout_ms: timeoutMs });
      exit(1);
    }, timeoutMs);
    timer.unref();
    Promise.resolve()
      .then(() => handler(signal))
      .then(
        () => {
          clearTimeout(timer);
          logger?.info('shutdown complete', { signal });
          exit(0);
        },
        (error: unknown) => {
          clearTimeout(timer);
          logger?.error('shutdown failed', { signal, error });
          exit(1);
        },
      );
  };
  for (const signal of signals) target.on(signal, listener);
  return () => {
    for (const signal of signals) target.off(signal, listener);
  };
}
