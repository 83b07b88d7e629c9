import { SYMBOL_PLACEHOLDER } from '@quantum/config';
import { parseDecimal } from '@quantum/efficiency-core';

/** Where the governor finds a price for plans that carry none (contract §1.1, GOV_PRICE_*). */
export interface PriceSource {
  /** The key is `keyPrefix + symbol + keySuffix` (GOV_PRICE_KEY_PATTERN split at `{SYMBOL}`). */
  readonly keyPrefix: string;
  readonly keySuffix: string;
  readonly field: string;
  readonly tsField: string;
  readonly maxAgeSec: number;
  /** A time this far in the future is still taken as now (the services' clock skew allowance). */
  readonly maxFutureSkewSec: number;
}

/** The price source of a GOV_PRICE_KEY_PATTERN (`undefined`: no source). */
export function priceSource(
  pattern: string | undefined, field: string, tsField: string, maxAgeSec: number, maxFutureSkewSec: number,
): PriceSource | undefined {
  if (!pattern) return undefined;
  const at = pattern.indexOf(SYMBOL_PLACEHOLDER);
  if (at < 0) throw new Error(`price key pattern ${JSON.stringify(pattern)} holds no ${SYMBOL_PLACEHOLDER}`);
  return { keyPrefix: pattern.slice(0, at), keySuffix: pattern.slice(at + SYMBOL_PLACEHOLDER.length), field, tsField, maxAgeSec, maxFutureSkewSec };
}

export function priceKey(source: PriceSource, symbol: string): string {
  return source.keyPrefix + symbol + source.keySuffix;
}

/**
 * The price a source hash gives at `now` (epoch seconds), or undefined (unknown): the price must
 * be a plain decimal above 0 and its time a plain decimal at most `maxAgeSec` old and at most
 * `maxFutureSkewSec` ahead. Pure.
 */
export function sourcePrice(rawPrice: string, rawTs: string, now: number, source: PriceSource): number | undefined {
  const price = parseDecimal(rawPrice);
  const ts = parseDecimal(rawTs);
  if (price === undefined || !(price > 0) || ts === undefined) return undefined;
  const age = now - ts;
  return age <= source.maxAgeSec && -age <= source.maxFutureSkewSec ? price : undefined;
}
