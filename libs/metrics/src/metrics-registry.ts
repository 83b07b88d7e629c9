import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Collect prom-client's default process metrics (CPU, memory, event loop, GC; default true). */
  readonly processMetrics?: boolean;
}

/**
 * A prom-client `Registry` of one application (never the global one, so tests and several
 * services in one process do not collide), with default process metrics without prefix. No
 * default labels: the contract's label sets are kept exactly, and a scrape config's `job` tells
 * the services apart.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
