import type Redis from 'ioredis';
import type { Decision, PlanRecord } from './plans';
import { Simulator } from './simulator';
import { consumePermit, publishPlans, writeTick, type PermitResult } from './writer';

export interface RunOptions {
  redis: Redis;
  seed: number;
  symbols: number;
  plansPerSec: number;
  /** Seconds between allocator/scorer rounds (upstream: 5). */
  tickSec: number;
  /** Stop after this many seconds; undefined = until aborted. */
  durationSec?: number;
  summaryEverySec: number;
  signal?: AbortSignal;
  /** Receives the periodic one-line summaries. */
  onSummary?: (line: string, stats: SimStats) => void;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

export interface SimStats {
  elapsedSec: number;
  ticks: number;
  targetsWritten: number;
  efficiencyWritten: number;
  fills: number;
  plans: number;
  plansByDecision: Record<Decision, number>;
  permitsGranted: number;
  permitsBlocked: number;
  permitsTimedOut: number;
  permitLatencyMaxMs: number;
  permitLatencySumMs: number;
  errors: number;
  lastError?: string;
}

export function emptyStats(): SimStats {
  return {
    elapsedSec: 0, ticks: 0, targetsWritten: 0, efficiencyWritten: 0, fills: 0, plans: 0,
    plansByDecision: { EXECUTE: 0, SKIP: 0, BLOCKED: 0, ERROR: 0 },
    permitsGranted: 0, permitsBlocked: 0, permitsTimedOut: 0, permitLatencyMaxMs: 0, permitLatencySumMs: 0, errors: 0,
  };
}

export function formatSummary(s: SimStats): string {
  const d = s.plansByDecision;
  const avg = s.permitsGranted > 0 ? Math.round(s.permitLatencySumMs / s.permitsGranted) : 0;
  const parts = [
    `t+${Math.round(s.elapsedSec)}s`,
    `ticks ${s.ticks}`,
    `targets ${s.targetsWritten} eff ${s.efficiencyWritten} fills ${s.fills}`,
    `plans ${s.plans} (EXECUTE ${d.EXECUTE}, SKIP ${d.SKIP}, BLOCKED ${d.BLOCKED}, ERROR ${d.ERROR})`,
    `permits granted ${s.permitsGranted} (avg ${avg} ms, max ${s.permitLatencyMaxMs} ms), blocked ${s.permitsBlocked}, timed out ${s.permitsTimedOut}`,
  ];
  if (s.errors > 0) parts.push(`redis errors ${s.errors} (last: ${s.lastError})`);
  return parts.join(' | ');
}

/**
 * Runs the simulator against Redis: an allocator/scorer round at once and then every
 * `tickSec`, plans at `plansPerSec` (sent in small batches to keep the rate exact), permits
 * consumed like the apply layer. Redis errors are counted and reported, never fatal.
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
      await writeTick(options.redis, out);
      stats.ticks += 1;
      stats.targetsWritten += out.targets.length;
      stats.efficiencyWritten += out.efficiency.length;
      stats.fills += out.fills.length;
    } catch (error) {
      fail(error);
    } finally {
      tickBusy = false;
    }
  };

  const track = (plan: PlanRecord) => {
    const poll = consumePermit(options.redis, plan.planId)
      .then((result: PermitResult) => {
        if (result.outcome === 'granted') {
          stats.permitsGranted += 1;
          stats.permitLatencySumMs += result.latencyMs ?? 0;
          stats.permitLatencyMaxMs = Math.max(stats.permitLatencyMaxMs, result.latencyMs ?? 0);
        } else if (result.outcome === 'blocked') stats.permitsBlocked += 1;
        else stats.permitsTimedOut += 1;
      })
      .catch(fail)
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
      stats.plans += plans.length; // generated values are consumed even if the write fails
      for (const p of plans) stats.plansByDecision[p.decision] += 1;
      await publishPlans(options.redis, plans);
      for (const p of plans) if (p.decision === 'EXECUTE') track(p);
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
