/**
 * The governor's batch handler: every plan stream entry gets exactly one decision.
 *
 * Gates that need only the plan and the settings (exposure, kill score, per-trade notional,
 * unknown notional) are decided in TypeScript (static-gates.ts); gates that need shared state
 * (kill switch, cooldown, hourly and 5-minute counts, daily notional) are decided in the decide
 * script (scripts/decide.lua), in contract order around the first ones' verdict.
 *
 * A batch goes parse → read → decide → record: the entries are parsed (batch-plans.ts); one read
 * script gives Redis's time and every EXECUTE symbol's efficiency hash and price
 * (symbol-inputs.ts); one decide script per chunk of entries decides and acknowledges them in
 * one atomic step (decide-chunks.ts); the fresh decisions go to the recorder (the metrics).
 */
import type Redis from 'ioredis';
import { ScriptRunner, type BatchContext, type DeadLetterSink, type EntryResult, type StreamBatchHandler, type StreamEntry } from '@quantum/redis-streams';
import { parseBatch } from './batch-plans';
import { decideInChunks, DEFAULT_CHUNK_SIZE } from './decide-chunks';
import type { AckTarget, Decision, DecisionRecorder } from './decision';
import { checkRedisVersion } from './redis-version';
import { DECIDE_SCRIPT } from './scripts/decide-protocol';
import { SendTurns } from './send-turns';
import type { GovernorSettings } from './settings';
import { readBatchInputs } from './symbol-inputs';

export interface GovernorOptions {
  /** Receives each batch's fresh decisions (the metrics). */
  readonly recorder?: DecisionRecorder;
  /** The batch's `now` from Redis's time (tests pin it); default Redis's time itself. */
  readonly clock?: (redisNow: number) => number;
  /** Entries per decide call (default {@link DEFAULT_CHUNK_SIZE}). */
  readonly chunkSize?: number;
  /**
   * Connection for the read script (default: the decide connection). On a connection of its own
   * the next batch's read does not wait behind the chunks in flight, so its chunks are built and
   * queued while Redis still runs the previous batch's.
   */
  readonly readRedis?: Redis;
}

/** The batch handler and dead-letter sink of the governor's stream consumer. */
export class Governor implements StreamBatchHandler, DeadLetterSink {
  private readonly decideScripts: ScriptRunner;
  private readonly readScripts: ScriptRunner;
  private readonly chunkSize: number;
  /** Batches send their chunks in the order decide() was called. */
  private readonly sendTurns = new SendTurns();

  constructor(
    redis: Redis,
    private readonly settings: GovernorSettings,
    private readonly options: GovernorOptions = {},
  ) {
    this.decideScripts = new ScriptRunner(redis, { onNewConnection: checkRedisVersion });
    this.readScripts = options.readRedis && options.readRedis !== redis ? new ScriptRunner(options.readRedis) : this.decideScripts;
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
  }

  async handleBatch(entries: readonly StreamEntry[], context?: BatchContext): Promise<readonly EntryResult[]> {
    const decisions = await this.decide(entries, undefined, context);
    const results: EntryResult[] = new Array(decisions.length);
    for (let i = 0; i < decisions.length; i++) {
      const d = decisions[i]!;
      results[i] = d instanceof Error ? { ack: false, error: d } : { ack: true, outcome: d.outcome, acknowledged: d.acknowledged };
    }
    return results;
  }

  async deadLetter(entries: readonly StreamEntry[], reason: string): Promise<void> {
    const decisions = await this.decide(entries, reason);
    const failed = decisions.find((d): d is Error => d instanceof Error);
    if (failed) throw failed;
  }

  /**
   * Decides every entry; `forceDeadLetter` dead-letters them all with that reason; with `ack`,
   * the script XACKs every decided entry in the same atomic step. Returns one Decision or Error
   * (not handled; stays pending) per entry, in order.
   */
  async decide(entries: readonly StreamEntry[], forceDeadLetter?: string, ack?: AckTarget): Promise<(Decision | Error)[]> {
    if (entries.length === 0) return [];
    // taken now, in call order (before any await)
    const turn = this.sendTurns.take();
    try {
      const plans = parseBatch(entries, forceDeadLetter);
      // once per connection, before its first chunk: a Redis reached after a reconnect may have
      // restarted without its scripts (chunks that meet NOSCRIPT anyway are re-run in order)
      if (!this.decideScripts.isLoaded(DECIDE_SCRIPT)) await this.decideScripts.load([DECIDE_SCRIPT]);
      const inputs = await readBatchInputs(this.readScripts, plans.executeSymbols, this.settings, this.options.clock);
      const decisions = await decideInChunks(this.decideScripts, this.settings, this.chunkSize, { entries, plans, inputs, forceDeadLetter, ack }, turn);
      this.record(decisions);
      return decisions;
    } finally {
      turn.sent(); // also after a failure: the next batch must not wait forever
    }
  }

  /** The fresh decisions (not replayed), in stream order, to the recorder in one step per batch. */
  private record(decisions: readonly (Decision | Error)[]): void {
    if (!this.options.recorder) return;
    const fresh: Decision[] = [];
    for (const d of decisions) if (!(d instanceof Error) && d.outcome !== 'replayed') fresh.push(d);
    if (fresh.length > 0) this.options.recorder.recordAll(fresh);
  }
}
