export * from './types';
export { StreamGroupConsumer, defaultConsumerName, entryIdSeconds, type StreamGroupConsumerOptions } from './stream-group-consumer';
export { createConsumerMetrics, type ConsumerMetricKey, type ConsumerMetrics, type ConsumerMetricsOptions } from './consumer-metrics';
export { isTransientRedisError } from './transient-error';
export { CUT_VALUE_KEEP_BYTES } from './entry-decoding';
