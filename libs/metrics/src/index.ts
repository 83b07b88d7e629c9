export { createMetricsRegistry, type MetricsRegistryOptions } from './metrics-registry';
export { MetricsServer, type MetricsServerOptions, type BoundAddress } from './metrics-server';
export { ReadinessState, type ReadinessCheck, type ReadinessReport, type ComponentHealth } from './readiness-state';
export { renderExposition, renderMetrics, isSampleSource, SAMPLE_LINES, type SampleSource, type RenderOptions } from './render';
export { escapeLabelValue, escapeText, formatSampleValue, sampleHead } from './exposition';
export { LabelledCounter, LabelledGauge, type LabelledFamilyOptions } from './labelled-family';
export { IdleTracker } from './idle-tracker';
export { ScrapeCache, type ScrapeBody } from './scrape-cache';
