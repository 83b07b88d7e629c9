import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { formatShortest } from '@quantum/efficiency-core';
import type { BatchContext, DeadLetterSink, EntryResult, StreamBatchHandler, StreamEntry } from '@quantum/redis-streams';
import { DECIDE_LUA } from './decide-script';
import { READ_FLAT, READ_LUA, READ_PACKED, READ_SEPARATOR } from './read-script';
import { priceKey, sourcePrice } from './price';
import { permitBasis, permitFor, type EfficiencyLookup, type PermitBasis, type PermitDraft } from './permit';
import { parseEntryPlan, type PlanParse } from './plan';
import { deadLetterCopy } from './dead-letter-copy';
import { assertRedisVersion } from './redis-version';
import { staticVerdict } from './static-gates';
import type { GovernorSettings } from './settings';
import type { GovernorMetrics } from './metrics';

export type Outcome = 'permitted' | 'blocked' | 'skipped' | 'duplicate' | 'dead_letter';

/** What the script decided for one entry. `replayed`: the entry had been decided before (no write). */
export interface Decision {
  readonly entryId: string;
  readonly outcome: Outcome | 'replayed';
  readonly reason: string;
  readonly planId: string;
  readonly symbol: string;
  readonly permit?: PermitDraft;
  /** The script acknowledged (XACK) the entry in the same atomic step as the decision. */
  readonly acknowledged: boolean;
}

/** The consumer group whose entries the script acknowledges together with their decisions. */
export interface AckTarget {
  readonly stream: string;
  readonly group: string;
}

/** Entries per EVALSHA: one atomic step; bounded so one script does not hold Redis for long. */
export const DEFAULT_CHUNK_SIZE = 100;

interface Chunk {
  readonly start: number;
  readonly end: number;
  readonly args: (string | number)[];
}

/** `YYYY-MM-DD` of the UTC day containing `now` (epoch seconds). */
export function utcDay(now: number): string {
  return new Date(Math.floor(now) * 1000).toISOString().slice(0, 10);
}

/**
 * The governor's batch handler and dead-letter sink: parses plans, reads the efficiency hashes
 * (one script: TIME plus the fields of every distinct EXECUTE symbol's hash), then decides
 * the entries with one EVALSHA per chunk of up to `chunkSize` entries (all chunks pipelined in
 * one round trip, stream order). The script also acknowledges the entries it decided.
 */
export class Governor implements StreamBatchHandler, DeadLetterSink {
  readonly sha: string;
  private readonly readSha: string;
  private readonly fixedArgs: string[];
  private readonly chunkSize: number;
  private readonly readRedis: Redis;
  /**
   * The consumer hands over the next batch while one is being decided. Its chunks are sent after
   * the previous batch's chunks (one connection: Redis runs them in that order) but without
   * waiting for their replies, so Redis has the next chunks queued instead of sitting idle while
   * the governor turns replies into decisions and metrics. Settles when the previous decide()
   * call has sent its chunks.
   */
  private sendTurn: Promise<void> = Promise.resolve();
  /** The connection (socket) the scripts were last loaded on; a reconnect gives a new one. */
  private loadedOn: unknown;

  constructor(
    private readonly redis: Redis,
    private readonly settings: GovernorSettings,
    private readonly metrics?: GovernorMetrics,
    private readonly clock?: (now: number) => number,
    options: {
      chunkSize?: number;
      /**
       * Connection for the read script (default: `redis`). On a connection of its own the next
       * batch's read does not wait behind the chunks in flight, so its chunks are built and queued
       * while Redis still runs the previous batch's.
       */
      readRedis?: Redis;
    } = {},
  ) {
    this.sha = createHash('sha1').update(DECIDE_LUA).digest('hex');
    this.readSha = createHash('sha1').update(READ_LUA).digest('hex');
    this.chunkSize = Math.max(1, Math.floor(options.chunkSize ?? DEFAULT_CHUNK_SIZE));
    this.readRedis = options.readRedis ?? redis;
    const s = settings;
    // header ARGV 3..14 (see decide-script.ts); 1, 2 (now, day) and 15, 16 (ack) vary per call
    this.fixedArgs = [
      s.mode, String(s.decisionTtlSec), String(s.permitTtlSec), String(s.blockTtlSec), s.eventsStream, String(s.eventsMaxLen),
      s.dlqStream, s.killSwitchKey, String(s.symbolCooldownSec), String(s.maxExecPerHour), String(s.maxExecPer5Min),
      formatShortest(s.maxNotionalPerDay),
    ];
  }

  /** Checks the Redis version and loads the scripts (SCRIPT LOAD); also done again by itself after NOSCRIPT. */
  async loadScript(): Promise<void> {
    const [info] = await Promise.all([this.redis.info('server'), this.redis.script('LOAD', DECIDE_LUA), this.redis.script('LOAD', READ_LUA)]);
    const { host, port, path } = this.redis.options;
    assertRedisVersion(info, path ?? `${host}:${port}`);
  }

  /** The read script (read-only), and after NOSCRIPT (Redis restarted or flushed its script cache) SCRIPT LOAD and again. */
  private async evalRead(args: readonly string[]): Promise<unknown> {
    try {
      return await this.readRedis.evalsha(this.readSha, 0, ...args);
    } catch (error) {
      if (!/NOSCRIPT/.test(error instanceof Error ? error.message : String(error))) throw error;
      await this.readRedis.script('LOAD', READ_LUA);
      return this.readRedis.evalsha(this.readSha, 0, ...args);
    }
  }

  /**
   * The read script's pieces (read-script.ts) for these symbols: packed, or flat when a value
   * holds the separator.
   */
  private async readBatch(symbols: readonly string[]): Promise<readonly string[]> {
    const source = this.settings.priceSource;
    const args = [source?.field ?? '', source?.tsField ?? '', String(symbols.length)];
    for (const symbol of symbols) args.push(this.settings.efficiencyKeyPrefix + symbol);
    if (source) for (const symbol of symbols) args.push(priceKey(source, symbol));
    const packed = String(await this.evalRead([READ_PACKED, ...args]));
    const pieces = packed.split(READ_SEPARATOR);
    if (pieces.length === 2 + (source ? 6 : 4) * symbols.length) return pieces;
    return ((await this.evalRead([READ_FLAT, ...args])) as unknown[]).map(String);
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
    // take a turn now, in call order (synchronously, before any await)
    const previousSent = this.sendTurn;
    let sent!: () => void;
    this.sendTurn = new Promise<void>((resolve) => (sent = resolve));
    try {
      return await this.decideInTurn(entries, forceDeadLetter, ack, previousSent, sent);
    } finally {
      sent(); // also after a failure: the next batch must not wait forever
    }
  }

  private async decideInTurn(
    entries: readonly StreamEntry[], forceDeadLetter: string | undefined, ack: AckTarget | undefined, previousSent: Promise<void>, sent: () => void,
  ): Promise<(Decision | Error)[]> {
    const count = entries.length;
    const parsed: PlanParse[] = new Array(count);
    const symbols = new Set<string>();
    for (let i = 0; i < count; i++) {
      const p = parseEntryPlan(entries[i]!);
      parsed[i] = p;
      if (!forceDeadLetter && p.ok && p.plan.decision === 'EXECUTE') symbols.add(p.plan.symbol);
    }

    if (this.loadedOn !== this.redis.stream) {
      // once per connection: a Redis restart empties the script cache, and a chunk that failed
      // with NOSCRIPT after others had run would be decided out of order
      const stream = this.redis.stream;
      await this.loadScript();
      this.loadedOn = stream;
    }
    // Round trip 1: TIME, the efficiency hash fields and the source price of every distinct
    // EXECUTE symbol, one script.
    const symbolList = [...symbols];
    const read = await this.readBatch(symbolList);
    const redisNow = Number(read[0]) + Number(read[1]) / 1e6;
    const now = this.clock ? this.clock(redisNow) : redisNow;
    // the permit fields that depend on the symbol's reading: once per symbol and batch
    const bases = new Map<string, SymbolBasis>();
    const source = this.settings.priceSource;
    for (let k = 0, j = 2, q = 2 + 4 * symbolList.length; k < symbolList.length; k++, j += 4, q += 2) {
      bases.set(symbolList[k]!, {
        permit: permitBasis(efficiencyLookup(read, j), now, this.settings.permit),
        price: source ? sourcePrice(read[q]!, read[q + 1]!, now, source) : undefined,
      });
    }

    // Round trip 2: one EVALSHA per chunk, in stream order. Each chunk is sent as soon as it is
    // built, so building the next chunk overlaps with Redis running the previous one.
    const header = [formatShortest(now), utcDay(now), ...this.fixedArgs, ack?.stream ?? '', ack?.group ?? ''];
    const permits: (PermitDraft | undefined)[] = new Array(count);
    const chunks: Chunk[] = [];
    const pending: Promise<ChunkReply | Error>[] = [];
    for (let start = 0; start < count; start += this.chunkSize) {
      const end = Math.min(count, start + this.chunkSize);
      const args: (string | number)[] = header.slice();
      for (let i = start; i < end; i++) permits[i] = this.pushEntry(args, entries[i]!, parsed[i]!, forceDeadLetter, bases);
      const chunk = { start, end, args };
      chunks.push(chunk);
      if (start === 0) await previousSent;
      pending.push(this.runChunk(chunk));
    }
    sent();
    const replies2 = await this.rerunNoScript(chunks, await Promise.all(pending));

    const out: (Decision | Error)[] = new Array(count);
    // fresh decisions (not replayed), in stream order, recorded in one metrics step per batch
    const fresh: Decision[] = [];
    for (let k = 0; k < chunks.length; k++) {
      const chunk = chunks[k]!;
      const reply = replies2[k]!;
      const acknowledged = !(reply instanceof Error) && reply.acked;
      for (let i = chunk.start; i < chunk.end; i++) {
        if (reply instanceof Error) {
          out[i] = reply;
          continue;
        }
        const j = 2 * (i - chunk.start);
        const outcome = reply.pieces[j]!;
        const reason = reply.pieces[j + 1]!;
        if (outcome === 'error') {
          out[i] = new Error(reason);
          continue;
        }
        const p = parsed[i]!;
        const decision: Decision = {
          entryId: entries[i]!.id,
          outcome: outcome === 'already' ? 'replayed' : (outcome as Outcome),
          reason,
          planId: p.ok ? p.plan.planId : p.planId,
          symbol: p.ok ? p.plan.symbol : p.symbol,
          permit: outcome === 'permitted' ? permits[i] : undefined,
          acknowledged,
        };
        if (decision.outcome !== 'replayed') fresh.push(decision);
        out[i] = decision;
      }
    }
    if (fresh.length > 0) this.metrics?.recordAll(fresh);
    return out;
  }

  /** Appends the script record of one entry (decide-script.ts, RECORD_ARGS); returns its permit draft. */
  private pushEntry(args: (string | number)[], entry: StreamEntry, p: PlanParse, forceDeadLetter: string | undefined, bases: Map<string, SymbolBasis>): PermitDraft | undefined {
    if (forceDeadLetter || !p.ok) {
      const reason = forceDeadLetter ?? (p.ok ? 'invalid' : p.reason);
      const planId = p.ok ? p.plan.planId : p.planId;
      const symbol = p.ok ? p.plan.symbol : p.symbol;
      const fields = deadLetterCopy(entry);
      args.push('dead', entry.id, planId, symbol, reason, fields.length);
      for (let k = 0; k < fields.length; k++) args.push(fields[k]!);
      return undefined;
    }
    const plan = p.plan;
    if (plan.decision !== 'EXECUTE') {
      args.push('skip', entry.id, plan.planId, plan.symbol, `decision_${plan.decision.toLowerCase()}`);
      return undefined;
    }
    const basis = bases.get(plan.symbol)!;
    const permit = permitFor(plan, basis.permit, this.settings.permit, plan.price ?? basis.price);
    args.push(
      'execute', entry.id, plan.planId, plan.symbol, staticVerdict(plan, permit.notional, this.settings),
      permit.notional === undefined ? '' : formatShortest(permit.notional),
      permit.computedNotional === undefined ? '' : formatShortest(permit.computedNotional),
      permit.json,
    );
    return permit;
  }

  /**
   * Redis lost its script cache (restart, SCRIPT FLUSH) while chunks were in flight: nothing ran
   * for the chunks that got NOSCRIPT, and they run again in stream order. SCRIPT LOAD and the
   * re-runs are sent together, without an await in between, so no later chunk of this governor
   * can slip in before them; later batches' chunks already sent met the same empty cache, and
   * their batches get here after this one (their replies arrive later on the same connection and
   * take the same path).
   */
  private async rerunNoScript(chunks: readonly Chunk[], replies: (ChunkReply | Error)[]): Promise<(ChunkReply | Error)[]> {
    const failed = chunks.filter((_, k) => isNoScript(replies[k]));
    if (failed.length === 0) return replies;
    const loaded = this.redis.script('LOAD', DECIDE_LUA).catch(() => undefined); // a failed load shows as NOSCRIPT below
    const again = failed.map((chunk) => this.runChunk(chunk));
    await loaded;
    const rerun = await Promise.all(again);
    return replies.map((reply, k) => {
      const at = failed.indexOf(chunks[k]!);
      return at < 0 ? reply : rerun[at]!;
    });
  }

  /** Sends one chunk's EVALSHA now (stream order = call order); resolves to its reply or error. */
  private runChunk(chunk: Chunk): Promise<ChunkReply | Error> {
    return this.redis.evalsha(this.sha, 0, ...chunk.args).then(
      (value) => chunkReply(value, chunk.end - chunk.start),
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
  }
}

/** What a batch knows of one symbol: its permit basis and its source price (undefined: unknown). */
interface SymbolBasis {
  readonly permit: PermitBasis;
  readonly price: number | undefined;
}

/** A decide script's reply (decide-script.ts): whether it acknowledged, and outcome, reason per entry. */
interface ChunkReply {
  readonly acked: boolean;
  readonly pieces: readonly string[];
}

function chunkReply(value: unknown, entries: number): ChunkReply | Error {
  if (Array.isArray(value) && value.length === 2 && typeof value[1] === 'string') {
    const pieces = value[1].split('\n');
    if (pieces.length === 2 * entries) return { acked: value[0] === 1, pieces };
  }
  return new Error(`unexpected script reply for ${entries} entries: ${JSON.stringify(value)?.slice(0, 200)}`);
}

function isNoScript(reply: unknown): boolean {
  return reply instanceof Error && /NOSCRIPT/.test(reply.message);
}

const MISSING_HASH: EfficiencyLookup = Object.freeze({ hash: null });
/**
 * A non-empty hash without the reading's fields, or a key of another type: read exactly like
 * a stored hash without the fields (invalid_eff).
 */
const PARTIAL_HASH: EfficiencyLookup = Object.freeze({ hash: Object.freeze({ partial: '1' }) });

/** The lookup of one symbol from the read script's reply (read-script.ts), at offset `j`. Pure. */
export function efficiencyLookup(reply: readonly string[], j: number): EfficiencyLookup {
  switch (String(reply[j])) {
    case 'ok':
      return { hash: { efficiency_score: String(reply[j + 1]), confidence: String(reply[j + 2]), ts: String(reply[j + 3]) } };
    case 'missing':
      return MISSING_HASH;
    case 'partial':
      return PARTIAL_HASH;
    default:
      // a key of the wrong type is bad data, not Redis being unwell
      return String(reply[j + 1]).startsWith('WRONGTYPE') ? PARTIAL_HASH : { error: new Error(String(reply[j + 1])) };
  }
}
