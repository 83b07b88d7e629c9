import type Redis from 'ioredis';
import { proposeAllocation, type AllocationProposal, type AllocationReason } from '@quantum/efficiency-core';
import { readBatch, writeBatch } from './batch-io';
import type { SymbolInputs } from './scripts/read-protocol';
import { appendProposal } from './scripts/write-protocol';
import type { ShadowSettings } from './settings';
import { scanPatternFor, symbolFromKey } from './symbol-key';

// Hot path: direct references (tsx, used by the benchmark and tests, wraps module exports in getters).
const propose = proposeAllocation;
const append = appendProposal;
const keySymbol = symbolFromKey;

/** Reasons a loop counts, in a fixed order (`redis_error` cannot occur: a failed read fails the loop). */
export const PROPOSAL_REASONS: readonly AllocationReason[] = ['ok', 'missing_eff', 'invalid_eff', 'stale_eff', 'low_conf', 'invalid_target'];

/** Receives each batch once it is written; used for metrics and debug logs. */
export interface LoopObserver {
  /** Called once when the loop starts, before any batch. */
  onLoopStart?(): void;
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
  observer.onLoopStart?.();

  const processBatch = async (symbols: string[]): Promise<void> => {
    const n = symbols.length;
    const inputs = await readBatch(client, symbols, settings.targetKeyPrefix, settings.efficiencyKeyPrefix);
    const proposals = new Array<AllocationProposal>(n);
    const parts: string[] = [];
    let count = 0;
    for (let i = 0; i < n; i++) {
      const input = inputs[i] as SymbolInputs;
      const proposal = propose(input.target, input.efficiency, now, settings.allocation);
      proposals[i] = input.targetError === undefined ? proposal : { ...proposal, targetProblem: `target key unreadable: ${input.targetError}` };
      if (append(parts, symbols[i] as string, proposal)) count++;
    }
    await writeBatch(client, parts.join(''), {
      streamName: settings.streamName,
      streamMaxLen: settings.streamMaxLen,
      ttlSec: settings.proposeKeyTtlSec,
      proposedKeyPrefix: settings.proposedKeyPrefix,
      tsEpoch,
    });
    written += count;
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

  // SCAN directly rather than through scanKeys: that keeps every matched key in a set, and half
  // of them are this service's own proposal keys. Duplicates (SCAN may return a key twice) are
  // dropped by `seen`, which holds symbols only.
  const pattern = scanPatternFor(settings.targetKeyPrefix);
  const targetPrefix = settings.targetKeyPrefix;
  const proposedPrefix = settings.proposedKeyPrefix;
  let pending: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', scanCount);
      cursor = next;
      for (let k = 0; k < keys.length; k++) {
        const key = keys[k] as string;
        const symbol = keySymbol(key, targetPrefix);
        if (symbol === undefined) {
          if (!key.startsWith(proposedPrefix)) skippedKeys++;
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
    } while (cursor !== '0' && !failed);
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
