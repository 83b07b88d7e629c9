import type Redis from 'ioredis';
import { hostname } from 'node:os';
import { Backoff } from '../connection/backoff';
import { decodeEntries, type BufferEntry } from './entry-decoding';
import { ScriptRunner } from '../scripts/script-runner';
import { readBacklog, readStreamBacklog } from './stream-backlog';
import { isTransientRedisError } from './transient-error';
import type { BatchContext, ConsumerLogger, ConsumerObserver, DeadLetterSink, EntryResult, StreamBatchHandler, StreamEntry } from './types';

export interface StreamGroupConsumerOptions {
  /** Connection for every non-blocking command (XGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM). */
  readonly redis: Redis;
  /**
   * Dedicated connection for `XREADGROUP ... BLOCK` (a blocked connection cannot serve anything
   * else). Default: `redis.duplicate()`, owned and closed by the consumer.
   */
  readonly blockingRedis?: Redis;
  readonly stream: string;
  readonly group: string;
  /** Consumer name; stable across restarts of one instance. Default: {@link defaultConsumerName}. */
  readonly consumer?: string;
  readonly handler: StreamBatchHandler;
  readonly deadLetter: DeadLetterSink;
  /** Entries per read (XREADGROUP COUNT). Default 200. */
  readonly batchSize?: number;
  /** XREADGROUP BLOCK in ms, 1..5000. Default 2000. */
  readonly blockMs?: number;
  /** Entries idle this long in another consumer's pending list are taken over. Default 30000. */
  readonly claimIdleMs?: number;
  /** How often to look for such entries (and sample the pending gauge). Default 5000. */
  readonly reclaimIntervalMs?: number;
  /**
   * Batches handled at the same time, 1 (default) or more. With 2, the next batch is read and
   * handed to the handler while the previous one is still being handled, so the handler's work
   * in this process overlaps with Redis executing the previous batch; the handler must then
   * accept a `handleBatch` call before the previous one resolved (and keep its own ordering).
   * Own-pending recovery and group creation wait until no batch is in hand.
   */
  readonly maxBatchesInFlight?: number;
  /** An entry delivered more than this many times goes to the dead-letter sink. Default 5; 0 = never. */
  readonly maxDeliveries?: number;
  /**
   * A field name or value above this many bytes is not read whole: the entry is handed over with
   * it cut (`StreamEntry.cut`). Default 1 MiB.
   */
  readonly maxValueBytes?: number;
  /** Where a newly created group starts: `$` (only new entries, default) or `0` (whole stream). */
  readonly createFrom?: '0' | '$';
  /** Where a group lost while running (NOGROUP, e.g. Redis restarted empty) restarts. Default `0`. */
  readonly recreateFrom?: '0' | '$';
  /** Backoff while Redis is unavailable: doubles from `initialMs` (100) up to `maxMs` (5000); jitter at most halves a delay. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly observer?: ConsumerObserver;
  readonly logger?: ConsumerLogger;
}

const DEAD_LETTER_REASON = 'max_deliveries_exceeded';

/** A consumer name that survives restarts of the same host/container: the sanitised host name. */
export function defaultConsumerName(host: string = hostname()): string {
  const cleaned = host.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return cleaned.length > 0 ? cleaned : 'consumer';
}

/** Time (seconds, epoch) encoded in a stream entry id. */
export function entryIdSeconds(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash < 0 ? id : id.slice(0, dash)) / 1000;
}


/**
 * Consumes one stream in a consumer group, at-least-once, acknowledging only what the handler
 * durably handled. See docs/governor.md ("The stream consumer") for the full behaviour.
 *
 * Per loop iteration: (re)create the group when needed; recover this consumer's own pending
 * entries (left by a crash of this instance or by a failed batch) with XCLAIM, which bumps their
 * delivery count; every `reclaimIntervalMs` take over entries idle for `claimIdleMs` in other
 * consumers (XAUTOCLAIM) and sample the pending count; then read new entries with a blocking
 * XREADGROUP on the dedicated connection. Each batch: over-delivered entries to the dead-letter
 * sink, the rest to the handler, then one XACK for everything handled.
 */
export class StreamGroupConsumer {
  readonly consumerName: string;
  private readonly redis: Redis;
  private readonly blocking: Redis;
  private readonly ownsBlocking: boolean;
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;
  private readonly reclaimIntervalMs: number;
  private readonly maxDeliveries: number;
  private readonly backoff: Backoff;
  private readonly backoffMax: number;
  private readonly observer: ConsumerObserver;
  private readonly context: BatchContext;
  private readonly maxInFlight: number;
  private readonly maxValueBytes: number;
  /** Batches being handled (oldest first) while the loop reads the next one. */
  private readonly inFlight: Promise<void>[] = [];

  private stopping = false;
  private running: Promise<void> | undefined;
  private groupReady = false;
  private groupCreatedOnce = false;
  private ownPendingMayExist = true;
  private lastReclaim = 0;
  private reclaimCursor = '0-0';
  private ready = false;
  private blockingClientId: number | undefined;
  private readInFlight = false;
  private wakeSleep: (() => void) | undefined;
  /** Ends a read in flight when stopping: a read queued while Redis is away never returns by itself. */
  private abandonRead: (() => void) | undefined;
  /** The last batch had entries that failed: the backoff keeps growing until one succeeds. */
  private entriesFailing = false;
  /**
   * Pending entries of this consumer whose last delivery failed because Redis was unwell (OOM,
   * READONLY, LOADING, a lost connection, ...): delivered again without counting a delivery, so
   * only failures an entry causes bring it to the dead-letter sink.
   */
  private readonly excused = new Set<string>();
  private lastSample = 0;
  /** The gap of unread entries trimmed from the stream counted last, to count each entry once. */
  private countedGap: { readonly after: string; readonly count: number } | undefined;
  /** The backlog script is refused (an ACL without XINFO STREAM or EVALSHA): sample the old way. */
  private backlogScriptRefused = false;
  /** Runs the backlog script on `redis`. */
  private readonly scripts: ScriptRunner;

  constructor(private readonly options: StreamGroupConsumerOptions) {
    this.redis = options.redis;
    this.scripts = new ScriptRunner(options.redis);
    this.context = { stream: options.stream, group: options.group, consumer: options.consumer ?? defaultConsumerName() };
    this.ownsBlocking = options.blockingRedis === undefined;
    this.blocking = options.blockingRedis ?? options.redis.duplicate();
    this.consumerName = options.consumer ?? defaultConsumerName();
    this.batchSize = positive(options.batchSize ?? 200, 'batchSize');
    this.maxInFlight = Math.floor(positive(options.maxBatchesInFlight ?? 1, 'maxBatchesInFlight'));
    this.blockMs = Math.min(5000, positive(options.blockMs ?? 2000, 'blockMs'));
    this.claimIdleMs = positive(options.claimIdleMs ?? 30_000, 'claimIdleMs');
    this.reclaimIntervalMs = positive(options.reclaimIntervalMs ?? 5000, 'reclaimIntervalMs');
    // 0 = never dead-letter for deliveries.
    this.maxDeliveries = options.maxDeliveries === 0 ? Infinity : positive(options.maxDeliveries ?? 5, 'maxDeliveries');
    this.maxValueBytes = positive(options.maxValueBytes ?? 1024 * 1024, 'maxValueBytes');
    const backoffInitial = positive(options.backoff?.initialMs ?? 100, 'backoff.initialMs');
    this.backoffMax = positive(options.backoff?.maxMs ?? 5000, 'backoff.maxMs');
    this.backoff = new Backoff({ initialMs: backoffInitial, maxMs: this.backoffMax, jitter: 0.5 });
    this.observer = options.observer ?? {};
    // The blocking connection reconnects on its own; errors surface through the read that failed.
    this.blocking.on('error', () => undefined);
    // A reconnected blocking connection has a new CLIENT ID (needed for CLIENT UNBLOCK).
    this.blocking.on('ready', () => (this.blockingClientId = undefined));
  }

  /** Whether the last loop iteration reached Redis and the group exists. */
  get isReady(): boolean {
    return this.ready;
  }

  /** Starts the loop (idempotent). Resolves immediately; `stop()` resolves when it ended. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  /**
   * Graceful stop: no new read is started, a blocked read is interrupted (CLIENT UNBLOCK), the
   * batch in hand is finished and acknowledged, then this resolves.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeSleep?.();
    if (this.readInFlight) {
      if (this.blocking.status === 'ready' && this.blockingClientId !== undefined) {
        // bounded: on a hung connection the reply never comes
        const unblock = this.redis.call('CLIENT', 'UNBLOCK', String(this.blockingClientId)).catch(() => undefined);
        await Promise.race([unblock, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
      // A read queued while Redis is away, or sent into a hung connection, never returns by
      // itself. Entries it may still bring are pending for this consumer name and recovered at
      // its next start (or taken over by another replica after claimIdleMs).
      this.abandonRead?.();
    }
    await this.running;
    this.running = undefined;
    if (this.ownsBlocking) this.blocking.disconnect();
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      try {
        // a command sent before the connection is up fails at once (no offline queue): wait
        // for it, so a start or a reconnect is not logged as a failed iteration
        await this.connected(this.redis);
        await this.connected(this.blocking);
        await this.iterate();
        if (!this.entriesFailing) this.backoff.reset();
      } catch (error) {
        // let the batches in hand finish (or fail) before anything is retried or recovered
        await this.drain().catch(() => undefined);
        if (isNoGroup(error)) this.groupReady = false;
        this.ownPendingMayExist = true;
        this.setReady(false, errorMessage(error));
        const delay = this.backoff.next();
        this.observer.error?.(error, delay);
        this.options.logger?.warn('stream consumer iteration failed; backing off', {
          stream: this.options.stream, group: this.options.group, consumer: this.consumerName,
          error: errorMessage(error), delayMs: delay,
        });
        await this.sleep(delay);
      }
    }
    try {
      await this.drain();
    } catch (error) {
      this.options.logger?.warn('batch in hand failed while stopping; left pending', { stream: this.options.stream, error: errorMessage(error) });
    }
  }

  /** Waits for every batch in hand, oldest first; rethrows the first failure once all settled. */
  private async drain(): Promise<void> {
    let failure: { error: unknown } | undefined;
    while (this.inFlight.length > 0) {
      try {
        await this.inFlight.shift();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  private async iterate(): Promise<void> {
    if (!this.groupReady) {
      await this.drain();
      await this.ensureGroup();
    }
    if (Date.now() - this.lastSample >= this.reclaimIntervalMs) await this.sampleGroup();
    if (this.ownPendingMayExist) {
      // entries in hand are pending too: recover only what no batch is handling
      await this.drain();
      const recovered = await this.recoverOwnPending();
      this.setReady(true);
      if (recovered) return; // keep draining own pending entries first
    }
    if (Date.now() - this.lastReclaim >= this.reclaimIntervalMs) {
      // no drain needed: batches in hand were just read, far from claimIdleMs idle
      const more = await this.reclaimIdle();
      this.setReady(true);
      if (more) return;
    }
    if (this.stopping) return;
    const entries = await this.readNew();
    this.setReady(true);
    if (entries.length === 0) return this.drain();
    if (this.maxInFlight <= 1) return this.processBatch(entries);
    // wait for the oldest batch when the limit is reached; a failure propagates to the loop
    while (this.inFlight.length >= this.maxInFlight) await this.inFlight.shift();
    const handling = this.processBatch(entries);
    handling.catch(() => undefined); // observed by drain() or the wait above, not unhandled
    this.inFlight.push(handling);
  }

  private async ensureGroup(): Promise<void> {
    const from = this.groupCreatedOnce ? (this.options.recreateFrom ?? '0') : (this.options.createFrom ?? '$');
    try {
      await this.redis.xgroup('CREATE', this.options.stream, this.options.group, from, 'MKSTREAM');
      this.options.logger?.info('consumer group created', { stream: this.options.stream, group: this.options.group, from });
    } catch (error) {
      if (!/BUSYGROUP/.test(errorMessage(error))) throw error;
    }
    this.groupReady = true;
    this.groupCreatedOnce = true;
    this.ownPendingMayExist = true;
  }

  /** XPENDING for this consumer, then XCLAIM (bumps the delivery count). True when it found some. */
  private async recoverOwnPending(): Promise<boolean> {
    const { stream, group } = this.options;
    const pending = (await this.redis.xpending(stream, group, '-', '+', this.batchSize, this.consumerName)) as [string, string, number, number][];
    if (pending.length === 0) {
      this.ownPendingMayExist = false;
      return false;
    }
    const ids = pending.map((p) => p[0]);
    // a delivery that failed because Redis was unwell is not counted: XCLAIM ... RETRYCOUNT keeps
    // the count where it was, a plain XCLAIM adds one
    const counted: string[] = [];
    const kept = new Map<number, string[]>();
    const counts = new Map<string, number>();
    for (const [id, , , delivered] of pending) {
      const n = Number(delivered);
      if (this.excused.delete(id)) {
        counts.set(id, n);
        kept.set(n, [...(kept.get(n) ?? []), id]);
      } else {
        counts.set(id, n + 1);
        counted.push(id);
      }
    }
    const claims: Promise<BufferEntry[]>[] = [];
    if (counted.length > 0) claims.push(this.redis.callBuffer('XCLAIM', stream, group, this.consumerName, '0', ...counted) as Promise<BufferEntry[]>);
    for (const [n, keptIds] of kept) {
      claims.push(this.redis.callBuffer('XCLAIM', stream, group, this.consumerName, '0', ...keptIds, 'RETRYCOUNT', String(n)) as Promise<BufferEntry[]>);
    }
    const claimed = (await Promise.all(claims)).flat();
    const entries = this.decode(claimed, (id) => counts.get(id) ?? 1).sort((a, b) => compareIds(a.id, b.id));
    const present = new Set(claimed.map((e) => e[0].toString()));
    // Redis 7 XCLAIM silently drops pending entries whose stream entry was deleted (trimmed).
    const trimmed = ids.filter((id) => !present.has(id));
    await this.processBatch(entries, trimmed);
    return true;
  }

  /** XAUTOCLAIM entries idle in other consumers. True when the scan is not finished yet. */
  private async reclaimIdle(): Promise<boolean> {
    const { stream, group } = this.options;
    const reply = (await this.redis.callBuffer('XAUTOCLAIM', stream, group, this.consumerName, String(this.claimIdleMs), this.reclaimCursor, 'COUNT', String(this.batchSize))) as [Buffer, BufferEntry[], Buffer[]?];
    const [rawCursor, claimed, rawDeleted = []] = reply;
    const cursor = rawCursor.toString();
    const deleted = rawDeleted.map(String);
    this.reclaimCursor = cursor;
    const done = cursor === '0-0';
    if (done) {
      this.lastReclaim = Date.now();
      await this.sampleGroup();
    }
    const live = claimed.filter((e) => e[1] !== null);
    if (live.length === 0 && deleted.length === 0) return !done;
    const counts = new Map<string, number>();
    if (live.length > 0) {
      const pipe = this.redis.pipeline();
      const liveIds = live.map((e) => e[0].toString());
      for (const id of liveIds) pipe.xpending(stream, group, id, id, 1, this.consumerName);
      const replies = (await pipe.exec()) ?? [];
      replies.forEach(([err, rows], i) => {
        const row = !err && Array.isArray(rows) ? (rows[0] as [string, string, number, number] | undefined) : undefined;
        counts.set(liveIds[i]!, row ? Number(row[3]) : this.maxDeliveries + 1);
      });
      this.observer.reclaimed?.(live.length);
      this.options.logger?.info('reclaimed idle entries', { stream, group, count: live.length });
    }
    await this.processBatch(this.decode(live, (id) => counts.get(id) ?? 1), deleted);
    return !done;
  }

  /**
   * Samples the group's pending count and lag, and counts entries that were removed from the
   * stream (trimmed by the producer's MAXLEN) before the group read them: one read-only script.
   */
  private async sampleGroup(): Promise<void> {
    const { stream, group } = this.options;
    this.lastSample = Date.now();
    if (this.backlogScriptRefused) return this.sampleGroupPlain();
    let backlog;
    try {
      backlog = await readStreamBacklog(this.scripts, stream, group);
    } catch (error) {
      if (!/NOPERM|unknown command|ERR Unknown/i.test(errorMessage(error))) throw error;
      this.backlogScriptRefused = true;
      this.options.logger?.warn('stream backlog script refused; trimmed-before-read entries are not counted', { stream, error: errorMessage(error) });
      return this.sampleGroupPlain();
    }
    if (!backlog) return;
    this.observer.pending?.(backlog.pending);
    const reading = readBacklog(backlog, compareIds);
    if (reading.lag !== undefined) this.observer.lag?.(reading.lag);
    this.countTrimmedUnread(reading.trimmedUnread, backlog.lastDeliveredId, backlog.firstId);
  }

  /** Counts (and logs with their id range) unread entries removed after `after`, each once. */
  private countTrimmedUnread(count: number, after: string, before: string): void {
    if (count <= 0) return;
    const already = this.countedGap?.after === after ? this.countedGap.count : 0;
    this.countedGap = { after, count };
    if (count <= already) return;
    this.observer.trimmedUnread?.(count - already);
    this.options.logger?.error('entries removed from the stream before the group read them', {
      stream: this.options.stream, group: this.options.group, count: count - already, afterId: after, beforeId: before,
    });
  }

  /** Pending count (XPENDING summary) and lag (XINFO GROUPS, Redis 7), without the script. */
  private async sampleGroupPlain(): Promise<void> {
    const { stream, group } = this.options;
    const pipe = this.redis.pipeline();
    pipe.xpending(stream, group);
    if (this.observer.lag) pipe.xinfo('GROUPS', stream);
    const [[pendingErr, summary] = [null, null], [infoErr, groups] = [null, null]] = (await pipe.exec()) ?? [];
    if (pendingErr) throw pendingErr;
    this.observer.pending?.(Number((summary as [number, ...unknown[]])[0]));
    if (!infoErr && Array.isArray(groups)) {
      const lag = groupField(groups as unknown[], group, 'lag');
      // lag is nil when Redis cannot tell (entries deleted in the middle): leave the gauge as it was
      if (lag !== undefined && lag !== null && Number.isFinite(Number(lag))) this.observer.lag?.(Number(lag));
    }
  }

  private async readNew(): Promise<StreamEntry[]> {
    const { stream, group } = this.options;
    if (this.blockingClientId === undefined) {
      this.blockingClientId = Number(await this.blocking.call('CLIENT', 'ID'));
    }
    if (this.stopping) return [];
    this.readInFlight = true;
    let reply: [Buffer, BufferEntry[]][] | null;
    try {
      // as Buffers: a value too large for a string is cut in decode(), not fatal in the parser
      const read = this.blocking.xreadgroupBuffer(
        'GROUP', group, this.consumerName, 'COUNT', String(this.batchSize), 'BLOCK', String(this.blockMs), 'STREAMS', stream, '>',
      ) as unknown as Promise<[Buffer, BufferEntry[]][] | null>;
      const abandoned = new Promise<null>((resolve) => (this.abandonRead = () => resolve(null)));
      read.catch(() => undefined); // after an abandon nobody awaits it
      reply = await Promise.race([read, abandoned]);
    } finally {
      this.readInFlight = false;
      this.abandonRead = undefined;
    }
    if (!reply || reply.length === 0) return [];
    return this.decode(reply[0]![1], () => 1);
  }

  private decode(raw: readonly BufferEntry[], count: (id: string) => number): StreamEntry[] {
    return decodeEntries(raw, count, this.maxValueBytes);
  }

  /**
   * Dead-letters over-delivered entries, hands the rest to the handler, acknowledges everything
   * handled (plus `trimmed` ids, which are gone from the stream) in one XACK.
   */
  private async processBatch(entries: readonly StreamEntry[], trimmed: readonly string[] = []): Promise<void> {
    const over = entries.filter((e) => e.deliveryCount > this.maxDeliveries);
    const normal = over.length === 0 ? entries : entries.filter((e) => e.deliveryCount <= this.maxDeliveries);
    const ackIds: string[] = [...trimmed];
    const outcomes = new Map<string, number>();
    const ackedIds: string[] = [];
    let failed = false;

    if (over.length > 0) {
      await this.options.deadLetter.deadLetter(over, DEAD_LETTER_REASON);
      for (const e of over) ackedIds.push(e.id);
      outcomes.set('dead_letter', over.length);
      this.options.logger?.warn('entries exceeded max deliveries; dead-lettered', {
        stream: this.options.stream, ids: over.map((e) => e.id), maxDeliveries: this.maxDeliveries,
      });
    }
    if (normal.length > 0) {
      let results: readonly EntryResult[];
      try {
        results = await this.options.handler.handleBatch(normal, this.context);
      } catch (error) {
        if (isTransientRedisError(error)) for (const e of normal) this.excused.add(e.id);
        this.entriesFailing = true;
        throw error;
      }
      if (results.length !== normal.length) throw new Error(`handler returned ${results.length} results for ${normal.length} entries`);
      results.forEach((result, i) => {
        if (result.ack) {
          // the handler may have acknowledged it itself, atomically with its writes
          if (!result.acknowledged) ackIds.push(normal[i]!.id);
          ackedIds.push(normal[i]!.id);
          outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
        } else {
          failed = true;
          const transient = isTransientRedisError(result.error);
          if (transient) this.excused.add(normal[i]!.id);
          this.options.logger?.warn('entry not handled; left pending', { id: normal[i]!.id, error: errorMessage(result.error).slice(0, 500), counted: !transient });
        }
      });
    }
    if (over.length > 0) for (const e of over) ackIds.push(e.id);
    if (ackIds.length > 0) await this.redis.xack(this.options.stream, this.options.group, ...ackIds);

    const nowSec = Date.now() / 1000;
    for (const [outcome, n] of outcomes) this.observer.processed?.(outcome, n);
    if (this.observer.latency) for (const id of ackedIds) this.observer.latency(Math.max(0, nowSec - entryIdSeconds(id)));
    if (over.length > 0) this.observer.deadLettered?.(over.length);
    if (trimmed.length > 0) this.observer.trimmed?.(trimmed.length);
    for (const id of ackedIds) this.excused.delete(id);
    this.entriesFailing = failed;
    if (failed) {
      // Retry them through the own-pending path after a pause that grows while they keep
      // failing; the gauges are sampled now, so they show the entries waiting.
      this.ownPendingMayExist = true;
      await this.sampleGroup().catch(() => undefined);
      await this.sleep(this.backoff.next());
    }
  }

  private setReady(ready: boolean, reason?: string): void {
    if (ready === this.ready) return;
    this.ready = ready;
    this.observer.readiness?.(ready, reason);
    if (ready) this.options.logger?.info('stream consumer ready', { stream: this.options.stream, consumer: this.consumerName });
  }

  /**
   * Resolves once `client` is ready, when the consumer stops, or after the longest backoff
   * (the iteration then fails with the client's own error and backs off as usual).
   */
  private connected(client: Redis): Promise<void> {
    if (client.status === 'ready' || this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('ready', done);
        if (this.wakeSleep === done) this.wakeSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.backoffMax);
      client.once('ready', done);
      this.wakeSleep = done;
    });
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleep = () => {
        this.wakeSleep = undefined;
        done();
      };
    });
  }
}

/** Orders stream entry ids (`ms-seq`) numerically. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  const ms = BigInt(am) - BigInt(bm);
  if (ms !== 0n) return ms < 0n ? -1 : 1;
  const seq = BigInt(as) - BigInt(bs);
  return seq === 0n ? 0 : seq < 0n ? -1 : 1;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/** A field of one group in an XINFO GROUPS reply (flat `[name, value, ...]` per group, or maps). */
function groupField(groups: unknown[], group: string, field: string): unknown {
  for (const g of groups) {
    if (Array.isArray(g)) {
      const at = g.indexOf('name');
      if (at >= 0 && g[at + 1] === group) {
        const f = g.indexOf(field);
        return f >= 0 ? g[f + 1] : undefined;
      }
    } else if (g && typeof g === 'object' && (g as Record<string, unknown>)['name'] === group) {
      return (g as Record<string, unknown>)[field];
    }
  }
  return undefined;
}

function isNoGroup(error: unknown): boolean {
  return /NOGROUP/.test(errorMessage(error));
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
