import { createHistogram } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { GOVERNOR_EVENTS_STREAM as EVENTS, PLAN_STREAM } from '@quantum/config';

export interface FixedLoadOptions {
  /** Offered plans per second. */
  readonly rate: number;
  readonly seconds: number;
  /** plan_id prefix, unique per run. */
  readonly prefix: string;
  /** The fields of plan `i` with this plan_id. */
  readonly plan: (planId: string, i: number) => string[];
  /** How long the observer waits for the last events after the last XADD (default 5 s). */
  readonly drainMs?: number;
}

export interface FixedLoadNumbers {
  readonly offeredPerSec: number;
  /** Plans written / (time from the first scheduled send to the last XADD reply). */
  readonly achievedPerSec: number;
  readonly plans: number;
  /** Plans whose event the observer saw in time (the latency samples). */
  readonly measured: number;
  /** Decided (event in the stream) but not seen by the observer within its wait. */
  readonly missing: number;
  /** No event at all: a lost decision (must be 0). */
  readonly undecided: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Event id of the last entry of the audit stream ('0-0' when empty): where the observer starts. */
async function lastEventId(redis: Redis): Promise<string> {
  const last = (await redis.xrevrange(EVENTS, '+', '-', 'COUNT', 1)) as [string, string[]][];
  return last[0]?.[0] ?? '0-0';
}

/** Whether the governor's group has nothing left: no lag and nothing pending. */
export async function groupDone(redis: Redis): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', PLAN_STREAM)) as unknown[][];
  const g = groups[0] ?? [];
  const field = (name: string) => Number(g[g.indexOf(name) + 1]);
  return field('lag') === 0 && field('pending') === 0;
}

/**
 * Offers `rate` plans/s for `seconds` to the governor's plan stream and measures each plan's
 * latency from its **scheduled** send time (start + i / rate) to the arrival of its event on
 * the audit stream, seen by an observer blocking on XREAD. Measuring from the scheduled time
 * and not from the XADD's reply avoids coordinated omission: when the producer, Redis or the
 * governor falls behind, the plans that wait count that wait. Latencies go into a `perf_hooks`
 * histogram (microseconds, 3 significant figures). After the run the governor is given time to
 * catch up, and every plan must then have an event (`undecided` counts those without).
 */
export async function offerFixedLoad(redis: Redis, o: FixedLoadOptions): Promise<FixedLoadNumbers> {
  const producer = redis.duplicate();
  const observer = redis.duplicate();
  const total = Math.max(1, Math.round(o.rate * o.seconds));
  const scheduled = new Map<string, number>();
  const latency = createHistogram({ lowest: 1, highest: 600_000_000, figures: 3 });
  const startId = await lastEventId(redis);
  let observing = true;
  const observe = (async () => {
    let last = startId;
    while (observing) {
      const reply = (await observer.xread('COUNT', 2000, 'BLOCK', 100, 'STREAMS', EVENTS, last)) as [string, [string, string[]][]][] | null;
      const at = performance.now();
      if (!reply) continue;
      for (const [id, fields] of reply[0]![1]) {
        last = id;
        const t0 = scheduled.get(fields[fields.indexOf('plan_id') + 1]!);
        if (t0 === undefined) continue;
        scheduled.delete(fields[fields.indexOf('plan_id') + 1]!);
        latency.record(Math.max(1, Math.round((at - t0) * 1000)));
      }
    }
  })();

  const start = performance.now();
  const interval = 1000 / o.rate;
  const inflight: Promise<unknown>[] = [];
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    while (sent < due) {
      const id = `${o.prefix}${sent.toString(16)}`;
      scheduled.set(id, start + sent * interval);
      inflight.push(producer.xadd(PLAN_STREAM, '*', ...o.plan(id, sent)));
      sent += 1;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  const producedSeconds = (performance.now() - start) / 1000;
  const drainUntil = performance.now() + (o.drainMs ?? 5000);
  while (scheduled.size > 0 && performance.now() < drainUntil) await sleep(20);
  observing = false;
  await observe;
  producer.disconnect();
  observer.disconnect();

  // a backlog is late, not lost: once the governor caught up, every plan must have its event
  const catchUp = performance.now() + 60_000;
  while (!(await groupDone(redis)) && performance.now() < catchUp) await sleep(50);
  const decided = new Set<string>();
  for (const [, fields] of (await redis.xrange(EVENTS, `(${startId}`, '+')) as [string, string[]][]) decided.add(fields[fields.indexOf('plan_id') + 1]!);
  let missing = 0;
  let undecided = 0;
  for (const id of scheduled.keys()) {
    if (decided.has(id)) missing += 1;
    else undecided += 1;
  }
  const ms = (p: number) => (latency.count === 0 ? NaN : latency.percentile(p) / 1000);
  return {
    offeredPerSec: o.rate, achievedPerSec: total / producedSeconds, plans: total, measured: latency.count, missing, undecided,
    p50Ms: ms(50), p99Ms: ms(99), maxMs: latency.count === 0 ? NaN : latency.max / 1000,
  };
}
