/** Key and stream names of the contract (CONTRACT.md §1, §3, §4). */
export const KEYS = {
  target: (symbol: string) => `quantum:allocation:target:${symbol}`,
  efficiency: (symbol: string) => `quantum:capital:efficiency:${symbol}`,
  proposed: (symbol: string) => `quantum:allocation:target:proposed:${symbol}`,
  permit: (planId: string) => `quantum:permit:${planId}`,
  block: (planId: string) => `quantum:governor:block:${planId}`,
  kill: 'quantum:kill',
  planStream: 'quantum:stream:apply.plan',
  planDlq: 'quantum:stream:apply.plan.dlq',
  proposedStream: 'quantum:stream:allocation.target.proposed',
  governorEvents: 'quantum:stream:governor.events',
  governorGroup: 'governor',
} as const;

/** Upstream expiries (UPSTREAM.md). */
export const UPSTREAM_TTL = { target: 300, efficiency: 600 } as const;
export const PLAN_STREAM_MAXLEN = 10_000;

export const SYMBOL_PATTERN = /^[A-Za-z0-9._-]{1,40}$/;

/** `{a: '1', b: '2'}` → `['a', '1', 'b', '2']` (stream field order = insertion order). */
export function flattenFields(fields: Readonly<Record<string, string>>): string[] {
  return Object.entries(fields).flat();
}
