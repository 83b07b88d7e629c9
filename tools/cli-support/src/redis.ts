import Redis from 'ioredis';
import { reconnectDelay, redactRedisUrl, redisClientOptions } from '@quantum/redis-streams';

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
 * A `command`-role client (fails fast while Redis is away) for an operator command. The first
 * connection must succeed within `connectTimeoutMs`, else the error names the redacted URL and
 * nothing keeps retrying; once connected, it reconnects by itself with the library's backoff.
 */
export async function connectRedis(url: string, options: { connectTimeoutMs?: number; app?: string } = {}): Promise<Redis> {
  let connected = false;
  const delay = reconnectDelay();
  const client = new Redis({
    ...redisClientOptions({ url, app: options.app ?? 'ctl', lazyConnect: true }, 'command'),
    retryStrategy: (attempt: number) => (connected ? delay(attempt) : null),
  });
  client.on('error', () => undefined); // failures surface through the commands
  client.once('ready', () => (connected = true));
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
