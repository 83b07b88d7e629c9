import { DECISIONS, PRODUCERS, type Decision, type PlanRecord, type Producer } from './plan-record';
import type { PermitResult } from './permit-consumer';

/** What became of one producer's plans, from the apply layer's side. */
export interface ProducerStats {
  plans: number;
  plansByDecision: Record<Decision, number>;
  permitsConsumed: number;
  permitsBlocked: number;
  /** `permit_timeout_or_missing` without a governor block record. */
  permitsTimedOut: number;
  /** Consumed, but the governor's permit was not JSON. */
  permitsInvalid: number;
  /** Over the consumed permits: from the start of polling to the consumption. */
  permitLatencySumMs: number;
  permitLatencyMaxMs: number;
}

export interface SimStats {
  elapsedSec: number;
  ticks: number;
  targetsWritten: number;
  efficiencyWritten: number;
  marketWritten: number;
  fills: number;
  plans: number;
  byProducer: Record<Producer, ProducerStats>;
  errors: number;
  lastError?: string;
}

export function emptyProducerStats(): ProducerStats {
  return {
    plans: 0,
    plansByDecision: Object.fromEntries(DECISIONS.map((d) => [d, 0])) as Record<Decision, number>,
    permitsConsumed: 0, permitsBlocked: 0, permitsTimedOut: 0, permitsInvalid: 0, permitLatencySumMs: 0, permitLatencyMaxMs: 0,
  };
}

export function emptyStats(): SimStats {
  return {
    elapsedSec: 0, ticks: 0, targetsWritten: 0, efficiencyWritten: 0, marketWritten: 0, fills: 0, plans: 0,
    byProducer: Object.fromEntries(PRODUCERS.map((p) => [p, emptyProducerStats()])) as Record<Producer, ProducerStats>,
    errors: 0,
  };
}

export function countPlan(stats: SimStats, plan: PlanRecord): void {
  const s = stats.byProducer[plan.producer];
  stats.plans += 1;
  s.plans += 1;
  s.plansByDecision[plan.decision] += 1;
}

export function countPermit(stats: SimStats, producer: Producer, result: PermitResult): void {
  const s = stats.byProducer[producer];
  if (result.outcome === 'blocked') s.permitsBlocked += 1;
  else if (result.outcome === 'timeout') s.permitsTimedOut += 1;
  else if (result.outcome === 'invalid') s.permitsInvalid += 1;
  else {
    s.permitsConsumed += 1;
    const latency = result.latencyMs ?? 0;
    s.permitLatencySumMs += latency;
    s.permitLatencyMaxMs = Math.max(s.permitLatencyMaxMs, latency);
  }
}
