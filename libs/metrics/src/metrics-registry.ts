import { collectDefaultMetrics, Registry } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Application name, e.g. `allocation-target`. */
  readonly app: string;
  /**
   * Add `app="<app>"` to every series (default true). Dashboards can then tell the services
   * apart without relying on scrape-job names; metric names are unchanged.
   */
  readonly appLabel?: boolean;
  /** Collect prom-client's default process metrics (CPU, memory, event loop, GC; default true). */
  readonly processMetrics?: boolean;
}

/**
 * A prom-client `Registry` of one application (never the global one, so tests and several
 * services in one process do not collide), with default process metrics without prefix.
 */
export function createMetricsRegistry(options: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  if (options.appLabel ?? true) registry.setDefaultLabels({ app: options.app });
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}
