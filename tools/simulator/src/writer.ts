import type Redis from 'ioredis';
import { flattenFields, KEYS, PLAN_STREAM_MAXLEN, UPSTREAM_TTL } from '@quantum/cli-support/keys';
import { DEFAULT_MARKET_KEY_PATTERN, MARKET_TTL_SEC, marketKey } from './market-key';
import type { PlanRecord, TickOutput } from './simulator';

/**
 * Writes one allocator + scorer + market feed round in one transaction: each hash replaced by
 * its new fields (HSET) and given its expiry (targets 300 s, efficiency 600 s, market 120 s).
 */
export async function writeTick(redis: Redis, tick: TickOutput, marketKeyPattern = DEFAULT_MARKET_KEY_PATTERN): Promise<void> {
  const multi = redis.multi();
  for (const t of tick.targets) {
    multi.hset(KEYS.target(t.symbol), t.fields);
    multi.expire(KEYS.target(t.symbol), UPSTREAM_TTL.target);
  }
  for (const e of tick.efficiency) {
    multi.hset(KEYS.efficiency(e.symbol), e.fields);
    multi.expire(KEYS.efficiency(e.symbol), UPSTREAM_TTL.efficiency);
  }
  for (const m of tick.market) {
    const key = marketKey(marketKeyPattern, m.symbol);
    multi.hset(key, m.fields);
    multi.expire(key, MARKET_TTL_SEC);
  }
  const results = await multi.exec();
  const failed = results?.find(([error]) => error);
  if (failed) throw new Error(`writing the tick's hashes failed: ${(failed[0] as Error).message}`);
}

/** Publishes plans to the apply stream in one pipeline, trimmed at about 10000 entries. */
export async function publishPlans(redis: Redis, plans: readonly PlanRecord[], maxlen = PLAN_STREAM_MAXLEN): Promise<string[]> {
  const pipeline = redis.pipeline();
  for (const p of plans) pipeline.xadd(KEYS.planStream, 'MAXLEN', '~', maxlen, '*', ...flattenFields(p.fields));
  const results = (await pipeline.exec()) ?? [];
  return results.map(([error, id], i) => {
    if (error) throw new Error(`publishing plan ${plans[i].planId} to ${KEYS.planStream} failed: ${error.message}`);
    return id as string;
  });
}
