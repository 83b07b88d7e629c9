import { redisCommand, type RedisCommand } from '../batch/redis-command';
import { flattenFields, type StreamFields } from './stream-fields';

/**
 * `XADD stream [MAXLEN ~ maxLen] * field value ...` as a command, for pipelines and MULTI groups.
 * `maxLen` undefined or 0: no trimming. Approximate trimming (`~`) lets Redis trim whole nodes,
 * which is much cheaper; the stream may keep somewhat more than `maxLen` entries.
 */
export function xaddCommand(stream: string, fields: StreamFields, maxLen?: number): RedisCommand {
  const flat = flattenFields(fields);
  if (flat.length === 0) throw new Error(`XADD ${stream}: an entry needs at least one field`);
  if (maxLen !== undefined && (!Number.isInteger(maxLen) || maxLen < 0)) {
    throw new Error(`XADD ${stream}: MAXLEN must be a whole number 0 or more, got ${maxLen}`);
  }
  const trim = maxLen ? ['MAXLEN', '~', maxLen] : [];
  return redisCommand('XADD', stream, ...trim, '*', ...flat);
}
