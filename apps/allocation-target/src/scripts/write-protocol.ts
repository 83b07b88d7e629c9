import { formatFixed, formatShortest, type AllocationProposal } from '@quantum/efficiency-core';
import { luaScript, type ScriptCall } from '@quantum/redis-streams';
import writeLua from './write.lua';

// Hot path: direct references (tsx, used by the benchmark and tests, wraps module exports in getters).
const fixed = formatFixed;
const shortest = formatShortest;

/** The write script (write.lua): arguments from {@link appendProposal} and {@link writeCall}. */
export const WRITE_SCRIPT = luaScript('allocation-write', writeLua);

/** The `mode` field of every proposal. */
export const MODE = 'shadow';

/**
 * Appends the write script's record of one proposal to `parts` (contract §2.3 formats): symbol,
 * base and proposed target (shortest round-trip decimal, for the stream), multiplier (4
 * decimals), eff_score and eff_confidence (shortest decimal when the reading parsed, else
 * `''`), eff_stale (`1` only for stale_eff), reason, base and proposed target (2 decimals,
 * ties half-even, for the hash), each followed by U+001F, the last one by U+001E. None of them
 * can contain either character (symbols are `[A-Za-z0-9._-]`, the rest are formatted numbers
 * and reason names). Returns false, appending nothing, for `invalid_target` (nothing is
 * written). The pieces go into one array joined once per batch, which makes far less garbage
 * than concatenating a string per symbol.
 */
export function appendProposal(parts: string[], symbol: string, proposal: AllocationProposal): boolean {
  const base = proposal.baseTarget;
  const proposed = proposal.proposedTarget;
  if (proposal.reason === 'invalid_target' || base === undefined || proposed === undefined) return false;
  const reading = proposal.reading;
  parts.push(
    symbol, '\x1f', shortest(base), '\x1f', shortest(proposed), '\x1f', fixed(proposal.multiplier, 4), '\x1f',
    shortest(reading.score), '\x1f', shortest(reading.confidence), '\x1f', reading.stale ? '1' : '0', '\x1f',
    proposal.reason, '\x1f', fixed(base, 2), '\x1f', fixed(proposed, 2), '\x1e',
  );
  return true;
}

export interface WriteBatchOptions {
  readonly streamName: string;
  readonly streamMaxLen: number;
  readonly ttlSec: number;
  readonly proposedKeyPrefix: string;
  readonly tsEpoch: string;
}

/** The call writing `packed`, the concatenation of {@link appendProposal} records. */
export function writeCall(packed: string, o: WriteBatchOptions): ScriptCall {
  return { keys: [o.streamName], args: [o.streamMaxLen, o.ttlSec, o.tsEpoch, MODE, o.proposedKeyPrefix, packed] };
}
