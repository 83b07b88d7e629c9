import type Redis from 'ioredis';
import { readEvictionPolicy } from '@quantum/redis-streams';
import { boundedText } from '@quantum/service-runtime';

export interface EvictionWarningLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
}

/**
 * Reads Redis's `maxmemory-policy` when the client becomes ready (at start and after every
 * reconnect: the server behind the address may have been replaced or reconfigured) and warns
 * when Redis may evict keys. allocation-target keeps working under such a policy, since it
 * rewrites every proposal each loop, so this is a warning and not a readiness problem; the
 * governor sharing the Redis is the one that loses decision records and gate state. Returns a
 * function that stops watching.
 */
export function warnWhenEvicting(client: Redis, log: EvictionWarningLogger): () => void {
  const check = () => {
    readEvictionPolicy(client).then(
      ({ policy, evicting }) => {
        if (evicting) {
          log.warn(
            `Redis maxmemory-policy is ${policy}: under memory pressure Redis may evict keys. allocation-target ` +
              'rewrites its proposals every loop and keeps running, but the governor on this Redis would lose decision ' +
              'records and gate state (plans permitted twice, limits bypassed); set maxmemory-policy noeviction',
            { policy },
          );
        } else {
          log.debug('redis maxmemory-policy', { policy: policy || '(not reported)' });
        }
      },
      (error: unknown) => log.warn('could not read the Redis maxmemory-policy (INFO memory)', { error: { message: boundedText(String((error as Error)?.message ?? error)) } }),
    );
  };
  client.on('ready', check);
  if (client.status === 'ready') check();
  return () => {
    client.off('ready', check);
  };
}
