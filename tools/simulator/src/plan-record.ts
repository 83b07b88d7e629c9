import { createHash } from 'node:crypto';

/** The two real producers of `quantum:stream:apply.plan` (UPSTREAM.md). */
export const PRODUCERS = ['apply_layer', 'intent_bridge'] as const;
export type Producer = (typeof PRODUCERS)[number];

export const DECISIONS = ['EXECUTE', 'SKIP', 'BLOCKED', 'ERROR'] as const;
export type Decision = (typeof DECISIONS)[number];

/** One plan as a producer writes it to the stream. */
export interface PlanRecord {
  producer: Producer;
  planId: string;
  symbol: string;
  decision: Decision;
  /** Field/value pairs in the producer's stream order. */
  fields: Record<string, string>;
}

/** A 16-hex plan id: a hash of the proposal (as the apply layer does). */
export function planIdFor(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 16);
}
