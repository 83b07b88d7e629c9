/** One stream entry as handed to a handler. */
export interface StreamEntry {
  /** Stream entry id, e.g. `1700000000000-0`. */
  readonly id: string;
  /** Field/value pairs in stream order, flat: `[f1, v1, f2, v2, ...]`. */
  readonly fields: readonly string[];
  /** How many times the group has delivered this entry, this delivery included (1 = first). */
  readonly deliveryCount: number;
  /**
   * Field names or values too large to be read whole (above the consumer's `maxValueBytes`):
   * `fields[index]` holds only their beginning. Such an entry is malformed by size.
   */
  readonly cut?: readonly CutValue[];
}

/** A field name or value of an entry that was cut: where it is in `fields`, and its full size. */
export interface CutValue {
  readonly index: number;
  readonly bytes: number;
}

/** Where a batch comes from: lets a handler acknowledge entries itself, atomically with its writes. */
export interface BatchContext {
  readonly stream: string;
  readonly group: string;
  readonly consumer: string;
}

/** What the handler did with one entry. */
export type EntryResult =
  /**
   * Durably handled: the consumer acknowledges it. `outcome` labels metrics (e.g. `permitted`).
   * `acknowledged: true`: the handler already XACKed the entry itself (e.g. in the same script as
   * its writes, so that handling and acknowledging are one atomic step); the consumer does not
   * XACK it again.
   */
  | { readonly ack: true; readonly outcome: string; readonly acknowledged?: boolean }
  /** Not handled (transient error): left pending, delivered again later (delivery count grows). */
  | { readonly ack: false; readonly error?: unknown };

/**
 * Handles one batch. Must return one result per entry, in order, and must only return
 * `ack: true` once the effects of that entry are durably written. Must be idempotent per entry id:
 * an entry can be delivered again after a crash between the write and the acknowledgement, or to
 * two consumers when one was slow past the claim-idle time. Throwing = no entry acknowledged.
 */
export interface StreamBatchHandler {
  handleBatch(entries: readonly StreamEntry[], context: BatchContext): Promise<readonly EntryResult[]>;
}

/**
 * Receives entries delivered more than `maxDeliveries` times. Must be idempotent per entry id
 * (write at most one dead letter per entry even when called again for it). Resolving = the
 * consumer acknowledges the entries; throwing = they stay pending.
 */
export interface DeadLetterSink {
  deadLetter(entries: readonly StreamEntry[], reason: string): Promise<void>;
}

/**
 * Observation hooks (all optional). Metrics adapters implement this; see
 * `createConsumerMetrics` for a prom-client one.
 */
export interface ConsumerObserver {
  /** `count` entries were acknowledged with this outcome. */
  processed?(outcome: string, count: number): void;
  /** Seconds from the entry's id time (when it was added) to its acknowledgement. */
  latency?(seconds: number): void;
  /** Entries pending in the whole group (XPENDING summary), sampled at each reclaim pass. */
  pending?(count: number): void;
  /** Entries in the stream not yet delivered to the group (XINFO GROUPS `lag`, Redis 7), sampled with `pending`. */
  lag?(count: number): void;
  /** Entries taken over from other (dead or slow) consumers. */
  reclaimed?(count: number): void;
  /** Entries handed to the dead-letter sink for exceeding the delivery limit. */
  deadLettered?(count: number): void;
  /** Pending entries that were trimmed from the stream before being acknowledged. */
  trimmed?(count: number): void;
  /** Entries removed from the stream (the producer's MAXLEN) before the group read them: lost. */
  trimmedUnread?(count: number): void;
  /** Readiness changed; `reason` says why it is not ready. */
  readiness?(ready: boolean, reason?: string): void;
  /** A loop iteration failed; the consumer backs off for `delayMs`. */
  error?(error: unknown, delayMs: number): void;
}

export interface ConsumerLogger {
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}
