import type { PermitDraft } from './permit';

export type Outcome = 'permitted' | 'blocked' | 'skipped' | 'duplicate' | 'dead_letter';

/** What the decide script decided for one entry. `replayed`: the entry had been decided before (nothing written). */
export interface Decision {
  readonly entryId: string;
  readonly outcome: Outcome | 'replayed';
  readonly reason: string;
  readonly planId: string;
  readonly symbol: string;
  readonly permit?: PermitDraft;
  /** The script acknowledged (XACK) the entry in the same atomic step as the decision. */
  readonly acknowledged: boolean;
}

/** The consumer group whose entries the script acknowledges together with their decisions. */
export interface AckTarget {
  readonly stream: string;
  readonly group: string;
}

/** Receives each batch's fresh decisions (never a replayed entry), in stream order: the metrics. */
export interface DecisionRecorder {
  recordAll(decisions: readonly Decision[]): void;
}
