import type Redis from 'ioredis';
import { proposeAllocation, type AllocationProposal, type AllocationReason } from '@quantum/efficiency-core';
import { scanKeys } from '@quantum/redis-streams';
import { readBatch, writeBatch, type SymbolInputs } from './batch-io';
import { formatProposal, type FormattedProposal } from './proposal-fields';
import type { ShadowSettings } from './settings';
import { scanPatternFor, symbolFromKey } from './symbol-key';

/** Reasons a loop counts, in a fixed order (`redis_error` cannot occur: a failed read fails the loop). */
export const PROPOSAL_REASONS: readonly AllocationReason[] = ['ok', 'missing_eff', 'invalid_eff', 'stale_eff', 'low_conf', 'invalid_target'];

/** Receives each batch once it is written; used for metrics and debug logs. */
export interface LoopObserver {
  /** `proposals[i]` belongs to `symbols[i]`; called only after the batch's writes succeeded. */
  onBatch?(symbols: readonly string[], proposals: readonly AllocationProposal[]): void;
}

export interface LoopOutcome {
  /** The loop's `now` (whole epoch seconds) used for every gate and written as `ts_epoch`. */
  readonly now: number;
  /** Target keys found (valid symbol names). */
  readonly symbols: number;
  /** Proposals written (stream entries = hashes). */
  readonly written: number;
  /**
   * Keys under the target prefix that are not target keys (further `:` segments, bad names),
   * not counting keys under the proposal prefix (the service's own output).
   */
  readonly skippedKeys: number;
  readonly byReason: Readonly<Record<AllocationReason, number>>;
  /** Every symbol seen this loop (for removing the series of vanished symbols). */
  readonly seen: ReadonlySet<string>;
}

export interface LoopOptions {
  /** Batches whose I/O may overlap (default 4): Redis works on one while JS prepares the next. */
  readonly maxInFlight?: number;
  /** SCAN COUNT (default max(1000, 2 * batchSize)). */
  readonly scanCount?: number;
}

/**
 * One proposal loop (contract §3): SCAN the target prefix, read targets and efficiency in batches
 * of `batchSize` (one script call each), compute with one `now`, write stream entries and hashes
 * (one script call per batch). Rejects when Redis fails; batches already written stay written.
 */
export async function runShadowLoop(
  client: Redis,
  settings: ShadowSettings,
  now: number,
  observer: LoopObserver = {},
  options: LoopOptions = {},
): Promise<LoopOutcome> {
  const maxInFlight = Math.max(1, options.maxInFlight ?? 4);
  const scanCount = options.scanCount ?? Math.max(1000, 2 * settings.batchSize);
  const byReason: Record<AllocationReason, number> = { ok: 0, missing_eff: 0, invalid_eff: 0, stale_eff: 0, low_conf: 0, redis_error: 0, invalid_target: 0 };
  const seen = new Set<string>();
  const tsEpoch = String(now);
  let skippedKeys = 0;
  let written = 0;

  const processBatch = async (symbols: string[]): Promise<void> => {
    const n = symbols.length;
    const targetKeys = new Array<string>(n);
    const effKeys = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      targetKeys[i] = settings.targetKeyPrefix + symbols[i];
      effKeys[i] = settings.efficiencyKeyPrefix + symbols[i];
    }
    const inputs = await readBatch(client, targetKeys, effKeys);
    const proposals = new Array<AllocationProposal>(n);
    const toWrite: FormattedProposal[] = [];
    for (let i = 0; i < n; i++) {
      const input = inputs[i] as SymbolInputs;
      const proposal = proposeAllocation(input.target, input.efficiency, now, settings.allocation);
      proposals[i] = input.targetError === undefined ? proposal : { ...proposal, targetProblem: `target key unreadable: ${input.targetError}` };
      const formatted = formatProposal(symbols[i] as string, proposal);
      if (formatted) toWrite.push(formatted);
    }
    await writeBatch(client, toWrite, {
      streamName: settings.streamName,
      streamMaxLen: settings.streamMaxLen,
      ttlSec: settings.proposeKeyTtlSec,
      proposedKeyPrefix: settings.proposedKeyPrefix,
      tsEpoch,
    });
    written += toWrite.length;
    for (let i = 0; i < n; i++) byReason[(proposals[i] as AllocationProposal).reason]++;
    observer.onBatch?.(symbols, proposals);
  };

  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let failed = false;
  const launch = (symbols: string[]): void => {
    const p: Promise<void> = processBatch(symbols).then(
      () => void inFlight.delete(p),
      (error: unknown) => {
        inFlight.delete(p);
        if (!failed) {
          failed = true;
          failure = error;
        }
      },
    );
    inFlight.add(p);
  };
  const drainTo = async (limit: number): Promise<void> => {
    while (inFlight.size > limit) await Promise.race(inFlight);
  };

  let pending: string[] = [];
  try {
    for await (const keys of scanKeys(client, { match: scanPatternFor(settings.targetKeyPrefix), count: scanCount })) {
      for (const key of keys) {
        const symbol = symbolFromKey(key, settings.targetKeyPrefix);
        if (symbol === undefined) {
          if (!key.startsWith(settings.proposedKeyPrefix)) skippedKeys++;
          continue;
        }
        if (seen.has(symbol)) continue;
        seen.add(symbol);
        pending.push(symbol);
        if (pending.length >= settings.batchSize) {
          launch(pending);
          pending = [];
          await drainTo(maxInFlight - 1);
        }
      }
      if (failed) break;
    }
    if (pending.length > 0 && !failed) launch(pending);
  } catch (error) {
    if (!failed) {
      failed = true;
      failure = error;
    }
  }
  await drainTo(0);
  if (failed) throw failure;
  return { now, symbols: seen.size, written, skippedKeys, byReason, seen };
}
