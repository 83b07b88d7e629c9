import type Redis from 'ioredis';

/** `maxmemory-policy` values under which Redis never removes a key by itself. */
const NON_EVICTING = new Set(['noeviction']);

export interface EvictionCheck {
  /** The policy read from `INFO memory` (`maxmemory_policy`); `''` when Redis did not say. */
  readonly policy: string;
  /** True when Redis may evict keys (decision records, gate state, streams) under memory pressure. */
  readonly evicting: boolean;
}

/** The eviction policy from an `INFO memory` reply. Pure. */
export function evictionCheckFromInfo(info: string): EvictionCheck {
  const match = /^maxmemory_policy:(\S*)/m.exec(info);
  const policy = match?.[1] ?? '';
  return { policy, evicting: policy !== '' && !NON_EVICTING.has(policy) };
}

/**
 * Reads the server's `maxmemory-policy` through `INFO memory` (allowed to clients that may not
 * run `CONFIG GET`, such as the services' ACL users).
 */
export async function readEvictionPolicy(client: Redis): Promise<EvictionCheck> {
  return evictionCheckFromInfo(await client.info('memory'));
}

/** What a service says about an evicting policy: names the policy and what it breaks. */
export function evictionProblem(check: EvictionCheck): string {
  return `Redis maxmemory-policy is ${check.policy}: under memory pressure Redis may evict decision records, gate state and the streams, ` +
    'so plans could be permitted twice and limits bypassed; set maxmemory-policy noeviction';
}
