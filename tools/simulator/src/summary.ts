import { DECISIONS, PRODUCERS, type Producer } from './plan-record';
import type { ProducerStats, SimStats } from './stats';

/**
 * `apply_layer: plans 140 (EXECUTE 12, SKIP 120, BLOCKED 6, ERROR 2), permits consumed 10
 * (avg 130 ms, max 310 ms), blocked 0, timed out 2`; decisions other than EXECUTE only once seen.
 */
export function formatProducer(producer: Producer, s: ProducerStats): string {
  const decisions = DECISIONS.filter((d) => d === 'EXECUTE' || s.plansByDecision[d] > 0).map((d) => `${d} ${s.plansByDecision[d]}`);
  const avg = s.permitsConsumed > 0 ? Math.round(s.permitLatencySumMs / s.permitsConsumed) : 0;
  const outcomes = [
    `permits consumed ${s.permitsConsumed} (avg ${avg} ms, max ${Math.round(s.permitLatencyMaxMs)} ms)`,
    `blocked ${s.permitsBlocked}`,
    `timed out ${s.permitsTimedOut}`,
  ];
  if (s.permitsInvalid > 0) outcomes.push(`invalid ${s.permitsInvalid}`);
  return `${producer}: plans ${s.plans} (${decisions.join(', ')}), ${outcomes.join(', ')}`;
}

/** Every producer's outcomes, `|`-separated (also the simulator part of `npm start`'s line). */
export function formatProducers(stats: SimStats): string {
  return PRODUCERS.map((p) => formatProducer(p, stats.byProducer[p])).join(' | ');
}

export function formatSummary(s: SimStats): string {
  const parts = [
    `t+${Math.round(s.elapsedSec)}s`,
    `ticks ${s.ticks}`,
    `targets ${s.targetsWritten} eff ${s.efficiencyWritten} market ${s.marketWritten} fills ${s.fills}`,
    `plans ${s.plans}`,
    formatProducers(s),
  ];
  if (s.errors > 0) parts.push(`redis errors ${s.errors} (last: ${s.lastError})`);
  return parts.join(' | ');
}
