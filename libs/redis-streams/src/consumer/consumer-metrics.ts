import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ConsumerObserver } from './types';

export interface ConsumerMetricsOptions {
  readonly registry: Registry;
  /** Metric name prefix, e.g. `quantum_govern` → `quantum_govern_processed_total`. */
  readonly prefix: string;
  /** Decision latency buckets in seconds. */
  readonly latencyBuckets?: readonly number[];
}

export interface ConsumerMetrics {
  readonly observer: ConsumerObserver;
  readonly processed: Counter<'outcome'>;
  readonly latency: Histogram;
  readonly pending: Gauge;
  readonly reclaimed: Counter;
  readonly deadLettered: Counter;
  readonly trimmed: Counter;
}

const DEFAULT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** prom-client metrics for a {@link StreamGroupConsumer}, registered in the given registry. */
export function createConsumerMetrics(options: ConsumerMetricsOptions): ConsumerMetrics {
  const { registry, prefix } = options;
  const registers = [registry];
  const processed = new Counter({ name: `${prefix}_processed_total`, help: 'Stream entries acknowledged, by outcome', labelNames: ['outcome'] as const, registers });
  const latency = new Histogram({
    name: `${prefix}_decision_latency_seconds`,
    help: 'Seconds from an entry being added to the stream to its acknowledgement',
    buckets: [...(options.latencyBuckets ?? DEFAULT_BUCKETS)],
    registers,
  });
  const pending = new Gauge({ name: `${prefix}_pending`, help: 'Entries pending (delivered, not acknowledged) in the consumer group', registers });
  const reclaimed = new Counter({ name: `${prefix}_reclaimed_total`, help: 'Entries taken over from idle consumers', registers });
  const deadLettered = new Counter({ name: `${prefix}_dead_lettered_total`, help: 'Entries dead-lettered after too many deliveries', registers });
  const trimmed = new Counter({ name: `${prefix}_trimmed_before_ack_total`, help: 'Pending entries trimmed from the stream before acknowledgement', registers });
  const observer: ConsumerObserver = {
    processed: (outcome, count) => processed.inc({ outcome }, count),
    latency: (seconds) => latency.observe(seconds),
    pending: (count) => pending.set(count),
    reclaimed: (count) => reclaimed.inc(count),
    deadLettered: (count) => deadLettered.inc(count),
    trimmed: (count) => trimmed.inc(count),
  };
  return { observer, processed, latency, pending, reclaimed, deadLettered, trimmed };
}
