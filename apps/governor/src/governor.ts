import { createHash } from 'node:crypto';
import type Redis from 'ioredis';
import { formatShortest, type EfficiencyHash } from '@quantum/efficiency-core';
import type { DeadLetterSink, EntryResult, StreamBatchHandler, StreamEntry } from '@quantum/redis-streams';
import { DECIDE_LUA } from './decide-script';
import { buildPermit, type EfficiencyLookup, type PermitDraft } from './permit';
import { isCloseAction, parsePlan, type Plan } from './plan';
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
}

interface Prepared {
  readonly entry: StreamEntry;
  readonly args: string[];
  readonly planId: string;
  readonly symbol: string;
  readonly permit?: PermitDraft;
}

/** `YYYY-MM-DD` of the UTC day containing `now` (epoch seconds). */
export function utcDay(now: number): string {
  return new Date(Math.floor(now) * 1000).toISOString().slice(0, 10);
}

/**
 * The governor's batch handler and dead-letter sink: parses plans, reads the efficiency hashes
 * (one pipelined round trip, one HGETALL per distinct symbol, plus TIME), then runs the decide
 * script for every entry (one pipelined round trip of EVALSHA) and reports the outcomes.
 */
export class Governor implements StreamBatchHandler, DeadLetterSink {
  readonly sha: string;
  private readonly fixedArgs: string[];

  constructor(
    private readonly redis: Redis,
    private readonly settings: GovernorSettings,
    private readonly metrics?: GovernorMetrics,
    private readonly clock?: (now: number) => number,
  ) {
    this.sha = createHash('sha1').update(DECIDE_LUA).digest('hex');
    const s = settings;
    this.fixedArgs = [
      String(s.decisionTtlSec), String(s.permitTtlSec), String(s.blockTtlSec), s.eventsStream, String(s.eventsMaxLen),
      s.dlqStream, s.killSwitchKey, formatShortest(s.killScoreCritical), String(s.symbolCooldownSec),
      String(s.maxExecPerHour), String(s.maxExecPer5Min), formatShortest(s.maxNotionalPerTrade), formatShortest(s.maxNotionalPerDay),
    ];
  }

  /** Loads the script (SCRIPT LOAD); also done again by itself after NOSCRIPT. */
  async loadScript(): Promise<void> {
    await this.redis.script('LOAD', DECIDE_LUA);
  }

  async handleBatch(entries: readonly StreamEntry[]): Promise<readonly EntryResult[]> {
    const decisions = await this.decide(entries);
    return decisions.map((d) => (d instanceof Error ? { ack: false, error: d } : { ack: true, outcome: d.outcome }));
  }

  async deadLetter(entries: readonly StreamEntry[], reason: string): Promise<void> {
    const decisions = await this.decide(entries, reason);
    const failed = decisions.find((d): d is Error => d instanceof Error);
    if (failed) throw failed;
  }

  /**
   * Decides every entry; `forceDeadLetter` dead-letters them all with that reason. Returns one
   * Decision or Error (not handled; stays pending) per entry, in order.
   */
  async decide(entries: readonly StreamEntry[], forceDeadLetter?: string): Promise<(Decision | Error)[]> {
    if (entries.length === 0) return [];
    const parsed = entries.map((e) => parsePlan(e.fields));
    const symbols = new Set<string>();
    if (!forceDeadLetter) for (const p of parsed) if (p.ok && p.plan.decision === 'EXECUTE') symbols.add(p.plan.symbol);

    // Round trip 1: TIME + efficiency hashes.
    const pipe = this.redis.pipeline();
    pipe.time();
    const symbolList = [...symbols];
    for (const symbol of symbolList) pipe.hgetall(this.settings.efficiencyKeyPrefix + symbol);
    const replies = (await pipe.exec()) ?? [];
    const [timeErr, timeReply] = replies[0] ?? [new Error('no reply to TIME')];
    if (timeErr) throw timeErr;
    const [sec, usec] = timeReply as [string, string];
    const redisNow = Number(sec) + Number(usec) / 1e6;
    const now = this.clock ? this.clock(redisNow) : redisNow;
    const lookups = new Map<string, EfficiencyLookup>();
    symbolList.forEach((symbol, i) => {
      const [err, hash] = replies[i + 1] ?? [new Error('no reply')];
      lookups.set(symbol, err ? { error: err } : { hash: isEmptyHash(hash) ? null : (hash as EfficiencyHash) });
    });

    const nowText = formatShortest(now);
    const day = utcDay(now);
    const prepared = entries.map((entry, i): Prepared => {
      const p = parsed[i]!;
      if (forceDeadLetter || !p.ok) {
        const reason = forceDeadLetter ?? (p.ok ? 'invalid' : p.reason);
        const planId = p.ok ? p.plan.planId : p.planId;
        const symbol = p.ok ? p.plan.symbol : p.symbol;
        return { entry, planId, symbol, args: this.args('dead', entry.id, planId, symbol, nowText, reason, undefined, day, undefined, entry.fields) };
      }
      const plan = p.plan;
      if (plan.decision !== 'EXECUTE') {
        return { entry, planId: plan.planId, symbol: plan.symbol, args: this.args('skip', entry.id, plan.planId, plan.symbol, nowText, `decision_${plan.decision.toLowerCase()}`, undefined, day) };
      }
      const permit = buildPermit(plan, lookups.get(plan.symbol) ?? { hash: null }, now, this.settings.permit);
      return { entry, planId: plan.planId, symbol: plan.symbol, permit, args: this.args('execute', entry.id, plan.planId, plan.symbol, nowText, '', plan, day, permit) };
    });

    // Round trip 2: one EVALSHA per entry, in stream order.
    let results = await this.runScripts(prepared.map((p) => p.args));
    if (results.some((r) => r instanceof Error && /NOSCRIPT/.test(r.message))) {
      // Redis restarted or flushed its script cache: nothing ran for those; load and run them again.
      await this.loadScript();
      const retry = prepared.map((p, i) => (results[i] instanceof Error && /NOSCRIPT/.test((results[i] as Error).message) ? i : -1)).filter((i) => i >= 0);
      const again = await this.runScripts(retry.map((i) => prepared[i]!.args));
      results = results.slice();
      retry.forEach((i, k) => (results[i] = again[k]!));
    }

    return prepared.map((p, i): Decision | Error => {
      const r = results[i]!;
      if (r instanceof Error) return r;
      const [outcome, reason] = r;
      const decision: Decision = {
        entryId: p.entry.id,
        outcome: outcome === 'already' ? 'replayed' : (outcome as Outcome),
        reason,
        planId: p.planId,
        symbol: p.symbol,
        permit: outcome === 'permitted' ? p.permit : undefined,
      };
      if (decision.outcome !== 'replayed') this.metrics?.record(decision);
      return decision;
    });
  }

  private async runScripts(argLists: string[][]): Promise<([string, string] | Error)[]> {
    if (argLists.length === 0) return [];
    const pipe = this.redis.pipeline();
    for (const args of argLists) pipe.evalsha(this.sha, 0, ...args);
    let replies: [Error | null, unknown][];
    try {
      replies = ((await pipe.exec()) ?? []) as [Error | null, unknown][];
    } catch (error) {
      return argLists.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    return argLists.map((_, i) => {
      const [err, value] = replies[i] ?? [new Error('no reply')];
      if (err) return err;
      const pair = value as [string, string];
      return [String(pair[0]), String(pair[1])];
    });
  }

  private args(kind: 'execute' | 'skip' | 'dead', entryId: string, planId: string, symbol: string, now: string, reason: string, plan: Plan | undefined, day: string, permit?: PermitDraft, fields?: readonly string[]): string[] {
    const close = plan ? isCloseAction(plan.action) : false;
    const args = [
      kind, entryId, planId, symbol, now, reason, this.settings.mode, close ? '1' : '0',
      plan?.killScore === undefined ? '0' : formatShortest(plan.killScore),
      permit?.notional === undefined ? '' : formatShortest(permit.notional),
      permit?.computedNotional === undefined ? '' : formatShortest(permit.computedNotional),
      day, permit?.json ?? '',
      ...this.fixedArgs,
    ];
    if (fields) args.push(...fields);
    return args;
  }
}

function isEmptyHash(hash: unknown): boolean {
  if (hash == null || typeof hash !== 'object') return true;
  for (const key in hash as object) if (Object.prototype.hasOwnProperty.call(hash, key)) return false;
  return true;
}
