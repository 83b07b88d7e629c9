import type { ScriptRunner, StreamEntry } from '@quantum/redis-streams';
import type { BatchPlans } from './batch-plans';
import { deadLetterCopy } from './dead-letter-copy';
import type { AckTarget, Decision, Outcome } from './decision';
import { permitFor, type PermitDraft } from './permit';
import type { PlanParse } from './plan';
import { appendDeadLetter, appendExecute, appendSkip, decideCall, decideHeader, DECIDE_SCRIPT, parseDecideReply } from './scripts/decide-protocol';
import type { SendTurn } from './send-turns';
import type { GovernorSettings } from './settings';
import { staticVerdict } from './static-gates';
import type { BatchInputs } from './symbol-inputs';

/** Entries per decide call: one atomic step; bounded so one script does not hold Redis for long. */
export const DEFAULT_CHUNK_SIZE = 100;

/** A batch ready to decide: its entries, their parses and the inputs read for their symbols. */
export interface DecideRequest {
  readonly entries: readonly StreamEntry[];
  readonly plans: BatchPlans;
  readonly inputs: BatchInputs;
  /** Dead-letter every entry with this reason. */
  readonly forceDeadLetter: string | undefined;
  /** Acknowledge the decided entries in the same atomic step. */
  readonly ack: AckTarget | undefined;
}

interface Chunk {
  readonly start: number;
  readonly end: number;
}

/**
 * The second round trip of a batch: one decide call per chunk of up to `chunkSize` entries, in
 * stream order, all in flight at once. Each chunk is sent as soon as it is built, so building
 * the next one overlaps with Redis running the previous; the first waits for `turn`. Returns one
 * Decision, or Error (the entry stays pending), per entry, in order.
 */
export async function decideInChunks(
  scripts: ScriptRunner, settings: GovernorSettings, chunkSize: number, request: DecideRequest, turn: SendTurn,
): Promise<(Decision | Error)[]> {
  const { entries, plans, inputs, forceDeadLetter } = request;
  const count = entries.length;
  const header = decideHeader(settings, inputs.now, request.ack);
  const permits: (PermitDraft | undefined)[] = new Array(count);
  const chunks: Chunk[] = [];
  const sequence = scripts.sequence(DECIDE_SCRIPT);
  for (let start = 0; start < count; start += chunkSize) {
    const end = Math.min(count, start + chunkSize);
    const args: (string | number)[] = header.slice();
    for (let i = start; i < end; i++) permits[i] = appendRecord(args, entries[i]!, plans.parsed[i]!, forceDeadLetter, inputs, settings);
    chunks.push({ start, end });
    if (start === 0) await turn.previousSent;
    sequence.send(decideCall(args));
  }
  turn.sent();
  const replies = await sequence.replies();

  const out: (Decision | Error)[] = new Array(count);
  for (let k = 0; k < chunks.length; k++) {
    const { start, end } = chunks[k]!;
    const raw = replies[k];
    const reply = raw instanceof Error ? raw : parseDecideReply(raw, end - start);
    for (let i = start; i < end; i++) {
      if (reply instanceof Error) {
        out[i] = reply;
        continue;
      }
      const j = 2 * (i - start);
      const outcome = reply.pieces[j]!;
      const reason = reply.pieces[j + 1]!;
      if (outcome === 'error') {
        out[i] = new Error(reason);
        continue;
      }
      const p = plans.parsed[i]!;
      out[i] = {
        entryId: entries[i]!.id,
        outcome: outcome === 'already' ? 'replayed' : (outcome as Outcome),
        reason,
        planId: p.ok ? p.plan.planId : p.planId,
        symbol: p.ok ? p.plan.symbol : p.symbol,
        permit: outcome === 'permitted' ? permits[i] : undefined,
        acknowledged: reply.acked,
      };
    }
  }
  return out;
}

/** Appends the decide script's record of one entry; returns its permit draft (EXECUTE plans only). */
function appendRecord(
  args: (string | number)[], entry: StreamEntry, p: PlanParse, forceDeadLetter: string | undefined, inputs: BatchInputs, settings: GovernorSettings,
): PermitDraft | undefined {
  if (forceDeadLetter || !p.ok) {
    const reason = forceDeadLetter ?? (p.ok ? 'invalid' : p.reason);
    const planId = p.ok ? p.plan.planId : p.planId;
    const symbol = p.ok ? p.plan.symbol : p.symbol;
    appendDeadLetter(args, entry.id, planId, symbol, reason, deadLetterCopy(entry));
    return undefined;
  }
  const plan = p.plan;
  if (plan.decision !== 'EXECUTE') {
    appendSkip(args, entry.id, plan.planId, plan.symbol, `decision_${plan.decision.toLowerCase()}`);
    return undefined;
  }
  const symbol = inputs.bySymbol.get(plan.symbol)!;
  const permit = permitFor(plan, symbol.permit, settings.permit, plan.price ?? symbol.price);
  appendExecute(args, entry.id, plan.planId, plan.symbol, staticVerdict(plan, permit.notional, settings), permit.notional, permit.computedNotional, permit.json);
  return permit;
}
