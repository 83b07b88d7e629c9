import type Redis from 'ioredis';
import { writeGatePermits } from './gate-permits';
import { DEFAULT_MARKET_KEY_PATTERN } from './market-key';
import type { PlanRecord } from './plan-record';
import { consumePermits, type PermitPolling } from './permit-consumer';
import { Simulator } from './simulator';
import { countPermit, countPlan, emptyStats, type SimStats } from './stats';
import { formatSummary } from './summary';
import { publishPlans, writeTick } from './writer';

export interface RunOptions {
  redis: Redis;
  seed: number;
  symbols: number;
  plansPerSec: number;
  /** Seconds between allocator/scorer/market rounds (upstream: 5; the market feed's hashes live 120 s). */
  tickSec: number;
  /** Stop after this many seconds; undefined = until aborted. */
  durationSec?: number;
  summaryEverySec: number;
  signal?: AbortSignal;
  /** Receives the periodic one-line summaries. */
  onSummary?: (line: string, stats: SimStats) => void;
  /** Where the market feed hashes go (default `quantum:market:{SYMBOL}:bybit`). */
  marketKeyPattern?: string;
  /** The apply layer's permit polling (default every 100 ms for up to 1.2 s). */
  permitPolling?: PermitPolling;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

export type { SimStats };

/**
 * Runs the simulator against Redis: an allocator/scorer/market round at once and then every
 * `tickSec`, plans of both producers at `plansPerSec` (sent in small batches to keep the rate
 * exact), and for every EXECUTE plan the other gates' permits and the apply layer's permit
 * consumption. Redis errors are counted and reported, never fatal.
 * Resolves with the final stats after the duration or the abort, once in-flight permit polls
 * are done.
 */
export async function runSimulation(options: RunOptions): Promise<SimStats> {
  const clock = options.now ?? Date.now;
  const sim = new Simulator({ seed: options.seed, symbols: options.symbols });
  const stats = emptyStats();
  const started = clock();
  const inFlight = new Set<Promise<void>>();
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;

  const fail = (error: unknown) => {
    stats.errors += 1;
    stats.lastError = (error as Error).message;
  };

  let tickBusy = false;
  const tick = async () => {
    if (tickBusy || stopping) return;
    tickBusy = true;
    try {
      const out = sim.tick(clock() / 1000);
      await writeTick(options.redis, out, options.marketKeyPattern ?? DEFAULT_MARKET_KEY_PATTERN);
      stats.ticks += 1;
      stats.targetsWritten += out.targets.length;
      stats.efficiencyWritten += out.efficiency.length;
      stats.marketWritten += out.market.length;
      stats.fills += out.fills.length;
    } catch (error) {
      fail(error);
    } finally {
      tickBusy = false;
    }
  };

  const track = (plan: PlanRecord) => {
    const poll = consumePermits(options.redis, plan.planId, options.permitPolling)
      .then((result) => countPermit(stats, plan.producer, result))
      .catch((error: unknown) => fail(new Error(`permits of plan ${plan.planId}: ${(error as Error).message}`)))
      .finally(() => inFlight.delete(poll));
    inFlight.add(poll);
  };

  let planBusy = false;
  const sendPlans = async () => {
    if (planBusy || stopping) return;
    planBusy = true;
    try {
      const due = Math.floor((options.plansPerSec * (clock() - started)) / 1000) - stats.plans;
      if (due <= 0) return;
      const nowSec = clock() / 1000;
      const plans = Array.from({ length: Math.min(due, 5000) }, () => sim.nextPlan(nowSec));
      for (const p of plans) countPlan(stats, p); // generated values are consumed even if the write fails
      await publishPlans(options.redis, plans);
      const executes = plans.filter((p) => p.decision === 'EXECUTE');
      await writeGatePermits(options.redis, executes, nowSec);
      for (const p of executes) track(p);
    } catch (error) {
      fail(error);
    } finally {
      planBusy = false;
    }
  };

  const summary = () => {
    stats.elapsedSec = (clock() - started) / 1000;
    options.onSummary?.(formatSummary(stats), stats);
  };

  await tick();
  await new Promise<void>((resolve) => {
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const t of timers) clearInterval(t);
      options.signal?.removeEventListener('abort', stop);
      resolve();
    };
    if (options.signal?.aborted) return stop();
    options.signal?.addEventListener('abort', stop);
    timers.push(setInterval(() => void tick(), options.tickSec * 1000));
    if (options.plansPerSec > 0) timers.push(setInterval(() => void sendPlans(), Math.max(20, Math.min(200, 1000 / options.plansPerSec))));
    timers.push(setInterval(summary, options.summaryEverySec * 1000));
    if (options.durationSec !== undefined) timers.push(setTimeout(stop, options.durationSec * 1000));
  });
  while (tickBusy || planBusy || inFlight.size > 0) {
    await Promise.all([...inFlight, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
  summary();
  return stats;
}
