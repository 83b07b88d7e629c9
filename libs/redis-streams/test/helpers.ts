import type Redis from 'ioredis';
import { createRedisClient, type RedisClientOptions, type RedisClientRole } from '../src';

const clients: Redis[] = [];

/** A client created with the library under test; `disconnectAll()` in afterEach. */
export function client(options: Omit<RedisClientOptions, 'app'>, role: RedisClientRole = 'command'): Redis {
  const created = createRedisClient({ app: 'test', ...options }, role);
  clients.push(created);
  return created;
}

export function disconnectAll(): void {
  for (const created of clients.splice(0)) created.disconnect();
}
