import Redis from 'ioredis';
import type { StreamEntry } from '@quantum/redis-streams';
import { DEFAULT_GOVERNOR_SETTINGS, type GovernorSettings } from '../src/settings';

export const PLAN_STREAM = DEFAULT_GOVERNOR_SETTINGS.planStream;
export const EVENTS_STREAM = DEFAULT_GOVERNOR_SETTINGS.eventsStream;
export const DLQ_STREAM = DEFAULT_GOVERNOR_SETTINGS.dlqStream;

let counter = 0;

/** A valid EXECUTE plan (notional 100 = 1 * 100) as flat stream fields, with overrides. */
export function planFields(overrides: Record<string, string | undefined> = {}): string[] {
  counter += 1;
  const base: Record<string, string | undefined> = {
    plan_id: `p${process.pid}x${counter}`,
    symbol: 'BTCUSDT',
    action: 'OPEN_PROPOSED',
    decision: 'EXECUTE',
    kill_score: '0.1',
    side: 'BUY',
    qty: '1',
    price: '100',
    timestamp: '1700000000',
    ...overrides,
  };
  return Object.entries(base).flatMap(([k, v]) => (v === undefined ? [] : [k, v]));
}

export function fieldsToMap(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

/** XADDs the plans and returns them as entries (delivery 1), as the consumer would hand them over. */
export async function addPlans(redis: Redis, plans: string[][]): Promise<StreamEntry[]> {
  const pipe = redis.pipeline();
  for (const fields of plans) pipe.xadd(PLAN_STREAM, '*', ...fields);
  const replies = (await pipe.exec()) ?? [];
  return replies.map(([err, id], i) => {
    if (err) throw err;
    return { id: id as string, fields: plans[i]!, deliveryCount: 1 };
  });
}

export async function readEvents(redis: Redis, stream = EVENTS_STREAM): Promise<Record<string, string>[]> {
  const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => fieldsToMap(fields));
}

export function settings(overrides: Partial<GovernorSettings> = {}): GovernorSettings {
  return { ...DEFAULT_GOVERNOR_SETTINGS, ...overrides };
}
