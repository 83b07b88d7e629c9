import { MARKET_KEY_PATTERN, SYMBOL_PLACEHOLDER } from '@quantum/config';

/** Where the simulated market feed writes (UPSTREAM.md "Market feed"): the websocket `bybit` feed. */
export const DEFAULT_MARKET_KEY_PATTERN = MARKET_KEY_PATTERN;
/** The websocket feeds' hashes expire after 120 s. */
export const MARKET_TTL_SEC = 120;

const PLACEHOLDER = SYMBOL_PLACEHOLDER;

/** The feed key of one symbol: every `{SYMBOL}` of the pattern replaced. */
export function marketKey(pattern: string, symbol: string): string {
  return pattern.split(PLACEHOLDER).join(symbol);
}

/** Throws when a pattern could not tell symbols apart (no `{SYMBOL}` in it). */
export function assertMarketKeyPattern(pattern: string): void {
  if (!pattern.includes(PLACEHOLDER)) throw new Error(`market key pattern ${JSON.stringify(pattern)} holds no ${PLACEHOLDER}`);
}
