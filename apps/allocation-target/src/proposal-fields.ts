import { formatFixed, formatShortest, type AllocationProposal } from '@quantum/efficiency-core';

// Hot path: direct references (tsx, used by the benchmark and tests, wraps module exports in getters).
const fixed = formatFixed;
const shortest = formatShortest;

/** Field names of a stream entry, in the contract's order (§3). */
export const STREAM_FIELDS = [
  'ts_epoch',
  'symbol',
  'base_target',
  'proposed_target',
  'multiplier',
  'eff_score',
  'eff_confidence',
  'eff_stale',
  'reason',
  'mode',
] as const;

/** Field names of a proposal hash: the stream's fields plus `last_update_ts_epoch`. */
export const HASH_FIELDS = [...STREAM_FIELDS, 'last_update_ts_epoch'] as const;

export const MODE = 'shadow';

/**
 * The per-symbol values of one written proposal, already formatted (contract §2.3):
 * - `baseStream`/`proposedStream`: shortest round-trip decimal (stream);
 * - `baseHash`/`proposedHash`: 2 decimals, ties half-even (hash);
 * - `multiplier`: 4 decimals;
 * - `effScore`/`effConfidence`: shortest decimal when the reading parsed (ok, stale_eff,
 *   low_conf), else `""`;
 * - `effStale`: `"1"` only for `stale_eff`, else `"0"`.
 * `ts_epoch`, `mode` and `last_update_ts_epoch` are the same for every symbol of a loop and are
 * added by the writer.
 */
export interface FormattedProposal {
  readonly symbol: string;
  readonly baseStream: string;
  readonly proposedStream: string;
  readonly baseHash: string;
  readonly proposedHash: string;
  readonly multiplier: string;
  readonly effScore: string;
  readonly effConfidence: string;
  readonly effStale: string;
  readonly reason: string;
}

/** Formats a proposal for writing; undefined for `invalid_target` (nothing is written). */
export function formatProposal(symbol: string, proposal: AllocationProposal): FormattedProposal | undefined {
  if (proposal.reason === 'invalid_target' || proposal.baseTarget === undefined || proposal.proposedTarget === undefined) return undefined;
  const reading = proposal.reading;
  return {
    symbol,
    baseStream: formatShortest(proposal.baseTarget),
    proposedStream: formatShortest(proposal.proposedTarget),
    baseHash: formatFixed(proposal.baseTarget, 2),
    proposedHash: formatFixed(proposal.proposedTarget, 2),
    multiplier: formatFixed(proposal.multiplier, 4),
    effScore: formatShortest(reading.score),
    effConfidence: formatShortest(reading.confidence),
    effStale: reading.stale ? '1' : '0',
    reason: proposal.reason,
  };
}

/**
 * Appends the write script's record of one proposal to `parts` (see WRITE_SCRIPT): the
 * `FormattedProposal` values in the order symbol, baseStream, proposedStream, multiplier,
 * effScore, effConfidence, effStale, reason, baseHash, proposedHash, each followed by U+001F, the
 * last one by U+001E. None of them can contain either character (symbols are `[A-Za-z0-9._-]`,
 * the rest are formatted numbers and reason names). Returns false, appending nothing, for
 * `invalid_target` (nothing is written). Same values as `formatProposal`, without the
 * intermediate object; pieces go into one array joined once per batch, which makes far less
 * garbage than concatenating a string per symbol.
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

/** One proposal's record as a string (`appendProposal`), or undefined for `invalid_target`. */
export function encodeProposal(symbol: string, proposal: AllocationProposal): string | undefined {
  const parts: string[] = [];
  return appendProposal(parts, symbol, proposal) ? parts.join('') : undefined;
}
