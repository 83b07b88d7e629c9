import type Redis from 'ioredis';
import { flattenFields, KEYS, PLAN_STREAM_MAXLEN, UPSTREAM_TTL } from '../ctl/support/keys';
import type { PlanRecord, TickOutput } from './simulator';

/**
 * Writes one allocator + scorer round in one transaction: each hash replaced by its new
 * fields (HSET) and given its expiry (targets 300 s, efficiency 600 s).
 */
export async function writeTick(redis: Redis, tick: TickOutput): Promise<void> {
  const multi = redis.multi();
  for (const t of tick.targets) {
    multi.hset(KEYS.target(t.symbol), t.fields);
    multi.expire(KEYS.target(t.symbol), UPSTREAM_TTL.target);
  }
  for (const e of tick.efficiency) {
    multi.hset(KEYS.efficiency(e.symbol), e.fields);
    multi.expire(KEYS.efficiency(e.symbol), UPSTREAM_TTL.efficiency);
  }
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw failed[0] as Error;
}

/** Publishes plans to the apply stream in one pipeline, trimmed at about 10000 entries. */
export async function publishPlans(redis: Redis, plans: readonly PlanRecord[], maxlen = PLAN_STREAM_MAXLEN): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (const p of plans) pipeline.xadd(KEYS.planStream, 'MAXLEN', '~', maxlen, '*', ...flattenFields(p.fields));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, id]) => {
    if (error) throw error;
    return id as string;
  });
}

export type PermitOutcome = 'granted' | 'blocked' | 'timeout';

export interface PermitResult {
  outcome: PermitOutcome;
  /** Milliseconds from the start of polling to the permit (granted only). */
  latencyMs?: number;
  permit?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the apply layer does after publishing an EXECUTE plan: poll `quantum:permit:{plan_id}`
 * every `pollMs` for up to `timeoutMs`, consuming it atomically (GET + DEL in one
 * transaction) so it can be used only once. Without a permit, a governor block key
 * distinguishes "blocked" from "no decision in time".
 */
export async function consumePermit(redis: Redis, planId: string, options: { pollMs?: number; timeoutMs?: number } = {}): Promise<PermitResult> {
  const pollMs = options.pollMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 1200;
  const started = Date.now();
  const key = KEYS.permit(planId);
  for (;;) {
    const results = await redis.multi().get(key).del(key).exec();
    const value = results?.[0]?.[1] as string | null | undefined;
    if (value !== null && value !== undefined) return { outcome: 'granted', latencyMs: Date.now() - started, permit: value };
    if (Date.now() - started + pollMs > timeoutMs) break;
    await sleep(pollMs);
  }
  const blocked = await redis.exists(KEYS.block(planId));
  return { outcome: blocked ? 'blocked' : 'timeout' };
}
