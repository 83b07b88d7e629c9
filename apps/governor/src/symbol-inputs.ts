import type { ScriptRunner } from '@quantum/redis-streams';
import { permitBasis, type PermitBasis } from './permit';
import { sourcePrice } from './price';
import { parseReadReply, readCall, READ_SCRIPT, type ReadReply } from './scripts/read-protocol';
import type { GovernorSettings } from './settings';

/** What a batch knows of one symbol: its permit basis and its source price (undefined: unknown). */
export interface SymbolInputs {
  readonly permit: PermitBasis;
  readonly price: number | undefined;
}

/** A batch's read: its `now` and the inputs of each of its EXECUTE symbols. */
export interface BatchInputs {
  readonly now: number;
  readonly bySymbol: ReadonlyMap<string, SymbolInputs>;
}

/**
 * The first round trip of a batch: Redis `TIME`, the efficiency hash and the source price of
 * every symbol, one read script; then each symbol's permit basis and price at `now` (Redis's
 * time, or what `clock` makes of it): computed once per symbol and batch.
 */
export async function readBatchInputs(scripts: ScriptRunner, symbols: readonly string[], settings: GovernorSettings, clock?: (redisNow: number) => number): Promise<BatchInputs> {
  const source = settings.priceSource;
  const read = async (form: 'packed' | 'flat'): Promise<ReadReply | undefined> =>
    parseReadReply(await scripts.run(READ_SCRIPT, readCall(form, symbols, settings.efficiencyKeyPrefix, source)), symbols.length, source !== undefined);
  const reply = (await read('packed')) ?? (await read('flat'));
  if (!reply) throw new Error(`read script: a flat reply that is not a table, for ${symbols.length} symbols`);
  const now = clock ? clock(reply.redisNow) : reply.redisNow;
  const bySymbol = new Map<string, SymbolInputs>();
  for (let k = 0; k < symbols.length; k++) {
    const price = reply.prices[k];
    bySymbol.set(symbols[k]!, {
      permit: permitBasis(reply.efficiency[k]!, now, settings.permit),
      price: source && price ? sourcePrice(price[0], price[1], now, source) : undefined,
    });
  }
  return { now, bySymbol };
}
