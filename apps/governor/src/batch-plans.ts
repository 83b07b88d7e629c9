import type { StreamEntry } from '@quantum/redis-streams';
import { parseEntryPlan, type PlanParse } from './plan';

/** A batch's entries parsed: one parse per entry, and the distinct symbols of its EXECUTE plans. */
export interface BatchPlans {
  readonly parsed: readonly PlanParse[];
  readonly executeSymbols: readonly string[];
}

/** Parses every entry; with `forceDeadLetter` every entry is to be dead-lettered, so no symbol needs reading. Pure. */
export function parseBatch(entries: readonly StreamEntry[], forceDeadLetter: string | undefined): BatchPlans {
  const parsed: PlanParse[] = new Array(entries.length);
  const symbols = new Set<string>();
  for (let i = 0; i < entries.length; i++) {
    const p = parseEntryPlan(entries[i]!);
    parsed[i] = p;
    if (!forceDeadLetter && p.ok && p.plan.decision === 'EXECUTE') symbols.add(p.plan.symbol);
  }
  return { parsed, executeSymbols: [...symbols] };
}
