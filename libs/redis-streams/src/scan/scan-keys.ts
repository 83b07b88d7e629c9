import type Redis from 'ioredis';

export interface ScanKeysOptions {
  /** SCAN MATCH glob, e.g. `quantum:allocation:target:*`. */
  readonly match: string;
  /** SCAN COUNT hint: how much of the keyspace one call walks (default 1000). */
  readonly count?: number;
  /** SCAN TYPE filter (Redis 6+), e.g. `hash`. */
  readonly type?: string;
}

/**
 * Walks the keyspace with `SCAN cursor MATCH m COUNT n` (never KEYS) and yields batches of keys,
 * each key once: SCAN may return a key more than once (rehashing), so keys already yielded are
 * dropped. Empty batches are not yielded. Memory grows with the number of distinct keys matched.
 */
export async function* scanKeys(client: Redis, options: ScanKeysOptions): AsyncGenerator<string[], void, undefined> {
  const count = options.count ?? 1000;
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = options.type
      ? await client.scan(cursor, 'MATCH', options.match, 'COUNT', count, 'TYPE', options.type)
      : await client.scan(cursor, 'MATCH', options.match, 'COUNT', count);
    cursor = String(next);
    const fresh: string[] = [];
    for (const key of keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(key);
    }
    if (fresh.length > 0) yield fresh;
  } while (cursor !== '0');
}

/** Every matching key, once each (convenience over `scanKeys`). */
export async function scanAllKeys(client: Redis, options: ScanKeysOptions): Promise<string[]> {
  const all: string[] = [];
  for await (const batch of scanKeys(client, options)) all.push(...batch);
  return all;
}
