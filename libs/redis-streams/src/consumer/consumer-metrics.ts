import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ConsumerObserver } from './types';

/** The metrics a consumer can report; each can be renamed or left out. */
export type ConsumerMetricKey = 'processed' | 'latency' | 'pending' | 'lag' | 'reclaimed' | 'deadLettered' | 'trimmed' | 'trimmedUnread';

export interface ConsumerMetricsOptions {
  readonly registry: Registry;
  /**
   * Metric name prefix for the default names, e.g. `quantum_govern` → `quantum_govern_processed_total`,
   * `_decision_latency_seconds`, `_pending`, `_lag`, `_reclaimed_total`, `_dead_lettered_total`,
   * `_trimmed_before_ack_total`, `_trimmed_before_read_total`.
   */
  readonly prefix: string;
  /**
   * Names chosen by the app (its metrics list), overriding `prefix`; `null` = do not register
   * that metric (e.g. the app counts it itself with more detail).
   */
  readonly names?: Partial<Record<ConsumerMetricKey, string | null>>;
  /** Decision latency buckets in seconds. */
  readonly latencyBuckets?: readonly number[];
}

export interface ConsumerMetrics {
  readonly observer: ConsumerObserver;
  readonly processed?: Counter<'outcome'>;
  readonly latency?: Histogram;
  readonly pending?: Gauge;
  readonly lag?: Gauge;
  readonly reclaimed?: Counter;
  readonly deadLettered?: Counter;
  readonly trimmed?: Counter;
  readonly trimmedUnread?: Counter;
}

const DEFAULT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const DEFAULT_SUFFIX: Record<ConsumerMetricKey, string> = {
  processed: 'processed_total',
  latency: 'decision_latency_seconds',
  pending: 'pending',
  lag: 'lag',
  reclaimed: 'reclaimed_total',
  deadLettered: 'dead_lettered_total',
  trimmed: 'trimmed_before_ack_total',
  trimmedUnread: 'trimmed_before_read_total',
};

/** prom-client metrics for a {@link StreamGroupConsumer}, registered in the given registry. */
export function createConsumerMetrics(options: ConsumerMetricsOptions): ConsumerMetrics {
  const { registry, prefix } = options;
  const registers = [registry];
  const name = (key: ConsumerMetricKey): string | null => {
    const chosen = options.names?.[key];
    return chosen === undefined ? `${prefix}_${DEFAULT_SUFFIX[key]}` : chosen;
  };
  const counter = (key: ConsumerMetricKey, help: string) => {
    const n = name(key);
    return n === null ? undefined : new Counter({ name: n, help, registers });
  };
  const gauge = (key: ConsumerMetricKey, help: string) => {
    const n = name(key);
    return n === null ? undefined : new Gauge({ name: n, help, registers });
  };
  const processedName = name('processed');
  const processed = processedName === null ? undefined : new Counter({ name: processedName, help: 'Stream entries acknowledged, by outcome', labelNames: ['outcome'] as const, registers });
  const latencyName = name('latency');
  const latency = latencyName === null ? undefined : new Histogram({
    name: latencyName,
    help: 'Seconds from an entry being added to the stream (its id time) to its acknowledgement',
    buckets: [...(options.latencyBuckets ?? DEFAULT_BUCKETS)],
    registers,
  });
  const pending = gauge('pending', 'Entries pending (delivered, not acknowledged) in the consumer group');
  const lag = gauge('lag', 'Entries in the stream not yet delivered to the consumer group');
  const reclaimed = counter('reclaimed', 'Entries taken over from idle consumers');
  const deadLettered = counter('deadLettered', 'Entries dead-lettered after too many deliveries');
  const trimmed = counter('trimmed', 'Pending entries trimmed from the stream before acknowledgement');
  const trimmedUnread = counter('trimmedUnread', 'Entries removed from the stream (trimmed by the producer) before the group read them');
  const observer: ConsumerObserver = {
    ...(processed ? { processed: (outcome: string, count: number) => processed.inc({ outcome }, count) } : {}),
    ...(latency ? { latency: (seconds: number) => latency.observe(seconds) } : {}),
    ...(pending ? { pending: (count: number) => pending.set(count) } : {}),
    ...(lag ? { lag: (count: number) => lag.set(count) } : {}),
    ...(reclaimed ? { reclaimed: (count: number) => reclaimed.inc(count) } : {}),
    ...(deadLettered ? { deadLettered: (count: number) => deadLettered.inc(count) } : {}),
    ...(trimmed ? { trimmed: (count: number) => trimmed.inc(count) } : {}),
    ...(trimmedUnread ? { trimmedUnread: (count: number) => trimmedUnread.inc(count) } : {}),
  };
  return { observer, processed, latency, pending, lag, reclaimed, deadLettered, trimmed, trimmedUnread };
}
