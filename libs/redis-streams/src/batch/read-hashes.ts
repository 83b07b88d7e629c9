import type Redis from 'ioredis';
import { RedisBatchError, toBatchResults } from './batch-results';

/** One key's HGETALL: its fields (empty when the key does not exist) or its own error (e.g. WRONGTYPE). */
export type HashReadResult =
  | { readonly key: string; readonly ok: true; readonly fields: Record<string, string> }
  | { readonly key: string; readonly ok: false; readonly error: Error };

export interface ReadHashesOptions {
  /** Keys per pipeline (default 500). */
  readonly batchSize?: number;
}

/**
 * `HGETALL` of every key, one pipeline per `batchSize` keys, results in the order of `keys`.
 * A key's own failure (WRONGTYPE, or a connection loss mid-batch) is that key's result; only a
 * pipeline that cannot be sent at all rejects, with a `RedisBatchError`.
 */
export async function readHashes(client: Redis, keys: readonly string[], options: ReadHashesOptions = {}): Promise<HashReadResult[]> {
  const batchSize = Math.max(1, options.batchSize ?? 500);
  const results: HashReadResult[] = [];
  for (let start = 0; start < keys.length; start += batchSize) {
    const batch = keys.slice(start, start + batchSize);
    const pipeline = client.pipeline();
    for (const key of batch) pipeline.hgetall(key);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await pipeline.exec();
    } catch (error) {
      throw new RedisBatchError(`HGETALL pipeline of ${batch.length} keys from ${batch[0]} failed: ${(error as Error).message}`, error);
    }
    toBatchResults<Record<string, string>>(replies, batch.length, 'HGETALL').forEach((result, index) => {
      const key = batch[index] as string;
      results.push(result.ok ? { key, ok: true, fields: result.value ?? {} } : { key, ok: false, error: withKey(result.error, key) });
    });
  }
  return results;
}

function withKey(error: Error, key: string): Error {
  const wrapped = new Error(`HGETALL ${key}: ${error.message}`, { cause: error });
  wrapped.name = error.name;
  return wrapped;
}
