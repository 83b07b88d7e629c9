import { luaScript, type ScriptCall } from '@quantum/redis-streams';
import readLua from './read.lua';
import type { EfficiencyLookup } from '../permit';
import { priceKey, type PriceSource } from '../price';

/**
 * The read script (read.lua): its arguments are built by {@link readCall}, its reply read by
 * {@link parseReadReply}.
 */
export const READ_SCRIPT = luaScript('read', readLua);

/** `packed`: the reply as one string (usually); `flat`: as a table (when a value holds the separator). */
export type ReadForm = 'packed' | 'flat';

const SEPARATOR = '\x1f';

/** The call reading these symbols' efficiency hashes and, with a price source, their prices. */
export function readCall(form: ReadForm, symbols: readonly string[], efficiencyKeyPrefix: string, source: PriceSource | undefined): ScriptCall {
  const args = [form, source?.field ?? '', source?.tsField ?? '', String(symbols.length)];
  for (const symbol of symbols) args.push(efficiencyKeyPrefix + symbol);
  if (source) for (const symbol of symbols) args.push(priceKey(source, symbol));
  return { args };
}

/** What the read script gave for a batch's symbols, in the order asked. */
export interface ReadReply {
  /** Redis `TIME` in epoch seconds. */
  readonly redisNow: number;
  readonly efficiency: readonly EfficiencyLookup[];
  /** The raw price and price time per symbol (`''` absent); empty without a price source. */
  readonly prices: readonly (readonly [price: string, time: string])[];
}

/**
 * The reply for `count` symbols (`withPrices`: a price source was given), or undefined when a
 * packed reply does not split into exactly its pieces (a value held the separator): read
 * again, flat.
 */
export function parseReadReply(value: unknown, count: number, withPrices: boolean): ReadReply | undefined {
  let pieces: string[];
  if (Array.isArray(value)) {
    pieces = value.map(String);
  } else {
    pieces = String(value).split(SEPARATOR);
    if (pieces.length !== 2 + (withPrices ? 6 : 4) * count) return undefined;
  }
  const efficiency: EfficiencyLookup[] = new Array(count);
  const prices: (readonly [string, string])[] = withPrices ? new Array(count) : [];
  for (let k = 0, j = 2, q = 2 + 4 * count; k < count; k++, j += 4, q += 2) {
    efficiency[k] = efficiencyLookup(pieces, j);
    if (withPrices) prices[k] = [pieces[q]!, pieces[q + 1]!];
  }
  return { redisNow: Number(pieces[0]) + Number(pieces[1]) / 1e6, efficiency, prices };
}

const MISSING_HASH: EfficiencyLookup = Object.freeze({ hash: null });
/**
 * A non-empty hash without the reading's fields, or a key of another type: read exactly like
 * a stored hash without the fields (invalid_eff).
 */
const PARTIAL_HASH: EfficiencyLookup = Object.freeze({ hash: Object.freeze({ partial: '1' }) });

/** The lookup of one symbol from the reply's pieces, at offset `j` (status, score, confidence, ts). Pure. */
export function efficiencyLookup(reply: readonly string[], j: number): EfficiencyLookup {
  switch (String(reply[j])) {
    case 'ok':
      return { hash: { efficiency_score: String(reply[j + 1]), confidence: String(reply[j + 2]), ts: String(reply[j + 3]) } };
    case 'missing':
      return MISSING_HASH;
    case 'partial':
      return PARTIAL_HASH;
    default:
      // a key of the wrong type is bad data, not Redis being unwell
      return String(reply[j + 1]).startsWith('WRONGTYPE') ? PARTIAL_HASH : { error: new Error(String(reply[j + 1])) };
  }
}
