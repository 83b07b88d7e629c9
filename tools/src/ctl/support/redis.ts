import type Redis from 'ioredis';
import { createRedisClient, redactRedisUrl } from '@quantum/redis-streams';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The Redis URL for a command: `--redis-url`, else `REDIS_URL`, else the local default. */
export function redisUrlFrom(option: string | undefined): string {
  return option ?? process.env['REDIS_URL'] ?? DEFAULT_REDIS_URL;
}

/** The URL without its password, for printing. */
export function redactUrl(url: string): string {
  return redactRedisUrl(url).replace(/\/$/, '');
}

/**
 * A `command`-role client (fails fast while Redis is away, reconnects by itself) for an
 * operator command. The first connection must succeed within `connectTimeoutMs`, else the
 * error names the redacted URL.
 */
export async function connectRedis(url: string, options: { connectTimeoutMs?: number; app?: string } = {}): Promise<Redis> {
  const client = createRedisClient({ url, app: options.app ?? 'ctl', lazyConnect: true }, 'command');
  const timeoutMs = options.connectTimeoutMs ?? 5000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect().then(() => client.ping()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    throw new Error(`cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
