import type Redis from 'ioredis';

/** Seeds targets and efficiency hashes for symbols; one pipeline per 2000 symbols. */
export const NOW = 1_700_000_000;
export const TARGET_PREFIX = 'quantum:allocation:target:';
export const EFF_PREFIX = 'quantum:capital:efficiency:';
export const PROPOSED_PREFIX = 'quantum:allocation:target:proposed:';
export const STREAM = 'quantum:stream:allocation.target.proposed';

export type SeedValue = Record<string, string> | { string: string } | null;

export interface SeededSymbol {
  readonly symbol: string;
  /** null: no target key; {string}: a string key (WRONGTYPE). */
  readonly target: SeedValue;
  readonly efficiency: SeedValue;
}

export async function seed(client: Redis, symbols: readonly SeededSymbol[]): Promise<void> {
  for (let start = 0; start < symbols.length; start += 2000) {
    const p = client.pipeline();
    for (const s of symbols.slice(start, start + 2000)) {
      write(p, TARGET_PREFIX + s.symbol, s.target);
      write(p, EFF_PREFIX + s.symbol, s.efficiency);
    }
    const replies = await p.exec();
    for (const [error] of replies ?? []) if (error) throw error;
  }
}

function write(p: ReturnType<Redis['pipeline']>, key: string, value: SeedValue): void {
  if (value === null) return;
  if ('string' in value && Object.keys(value).length === 1 && typeof value['string'] === 'string') p.set(key, value['string']);
  else p.hset(key, value as Record<string, string>);
}

/** A big seeded universe: targets 1000+i, scores cycling through 0..1, all fresh and confident. */
export function bulkUniverse(n: number, now = NOW): SeededSymbol[] {
  const out: SeededSymbol[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      symbol: `S${i}USDT`,
      target: { target_usd: String(1000 + i), confidence: '0.9', timestamp: String(now), mode: 'live' },
      efficiency: { efficiency_score: String((i % 101) / 100), confidence: '0.9', ts: String(now - 5), window: '3600' },
    });
  }
  return out;
}
