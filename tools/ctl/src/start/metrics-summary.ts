import { parseMetrics, sumBy } from '../commands/verify-checks';

/** The numbers of one live summary line, read from the two services' /metrics. */
export interface StackNumbers {
  proposals: Map<string, number>;
  permits: number;
  blocks: Map<string, number>;
  lag: number | undefined;
  pending: number | undefined;
  loops: number | undefined;
}

export function stackNumbers(allocationMetrics: string | undefined, governorMetrics: string | undefined): StackNumbers {
  const a = allocationMetrics ? parseMetrics(allocationMetrics).samples : [];
  const g = governorMetrics ? parseMetrics(governorMetrics).samples : [];
  const single = (samples: typeof a, name: string) => {
    const s = samples.find((x) => x.name === name);
    return s ? s.value : undefined;
  };
  const permitsByOutcome = sumBy(g, 'governor_messages_total', 'outcome');
  const allow = [...sumBy(g, 'quantum_govern_allow_total').values()].reduce((x, y) => x + y, 0);
  return {
    proposals: sumBy(a, 'p29_shadow_proposed_total', 'reason'),
    permits: permitsByOutcome.get('permitted') ?? allow,
    blocks: sumBy(g, 'quantum_govern_block_total', 'reason'),
    lag: single(g, 'governor_consumer_lag'),
    pending: single(g, 'governor_pending_messages'),
    loops: single(a, 'p29_shadow_loops_total'),
  };
}

function breakdown(values: Map<string, number>): string {
  const entries = [...values].filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]);
  const total = entries.reduce((sum, [, v]) => sum + v, 0);
  if (entries.length === 0) return '0';
  return `${total} (${entries.map(([k, v]) => `${k || '-'} ${v}`).join(', ')})`;
}

/**
 * `loops 12 | proposals 250 (ok 180, low_conf 40) | permits 12 | blocks 40 (symbol_cooldown 20) |
 * lag 0 pending 0`, then `producers` (the simulator's outcomes per producer) when given.
 */
export function formatStackLine(n: StackNumbers, producers?: string): string {
  const parts = [
    `loops ${n.loops ?? '?'}`,
    `proposals ${breakdown(n.proposals)}`,
    `permits ${n.permits}`,
    `blocks ${breakdown(n.blocks)}`,
    `lag ${n.lag ?? '?'} pending ${n.pending ?? '?'}`,
  ];
  if (producers) parts.push(producers);
  return parts.join(' | ');
}
