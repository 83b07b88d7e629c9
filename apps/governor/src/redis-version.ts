import type Redis from 'ioredis';

/**
 * The oldest Redis the decide script runs on: it claims a plan with `SET ... NX GET`, which
 * Redis 6.2 rejects as a syntax error. Checked once per connection, before the first script runs,
 * so an older server stops the governor's reading with this message instead of failing every
 * plan until it is dead-lettered.
 */
export const MIN_REDIS_MAJOR = 7;

/**
 * Throws when `INFO server` names a Redis older than {@link MIN_REDIS_MAJOR}.0. A server that
 * names no version (a proxy, a compatible store) is let through: its replies decide.
 */
export function assertRedisVersion(infoServer: string, where: string): void {
  const match = /^redis_version:(\d+)\.(\d+)\S*/m.exec(infoServer);
  if (!match) return;
  if (Number(match[1]) >= MIN_REDIS_MAJOR) return;
  const version = match[0].slice('redis_version:'.length);
  throw new Error(`Redis ${version} at ${where} is too old for the governor: it needs Redis ${MIN_REDIS_MAJOR}.0 or later (the decide script claims each plan with SET ... NX GET)`);
}

/** Reads `INFO server` of `redis` and throws when that Redis is too old ({@link assertRedisVersion}). */
export async function checkRedisVersion(redis: Redis): Promise<void> {
  const info = await redis.info('server');
  const { host, port, path } = redis.options;
  assertRedisVersion(info, path ?? `${host}:${port}`);
}
