export { createMetricsRegistry, type MetricsRegistryOptions } from './metrics-registry';
export { MetricsServer, type MetricsServerOptions, type BoundAddress } from './metrics-server';
export { ReadinessState, type ReadinessCheck, type ReadinessReport, type ComponentHealth } from './readiness-state';
