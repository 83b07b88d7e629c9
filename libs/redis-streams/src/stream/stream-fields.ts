import type { RedisArgument } from '../batch/redis-command';

/**
 * Stream entry fields in the order they are written. Pairs keep any order; a record keeps its
 * insertion order except that integer-like keys ("1", "42") come first (JavaScript object order),
 * so use pairs when such keys may occur.
 */
export type StreamFields = readonly (readonly [string, RedisArgument])[] | Readonly<Record<string, RedisArgument>>;

export function fieldPairs(fields: StreamFields): (readonly [string, RedisArgument])[] {
  return Array.isArray(fields) ? [...(fields as readonly (readonly [string, RedisArgument])[])] : Object.entries(fields);
}

export function flattenFields(fields: StreamFields): RedisArgument[] {
  const flat: RedisArgument[] = [];
  for (const [name, value] of fieldPairs(fields)) flat.push(name, value);
  return flat;
}
