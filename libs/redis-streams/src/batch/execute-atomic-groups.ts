import type Redis from 'ioredis';
import { RedisBatchError, type BatchItemResult } from './batch-results';
import { describeCommand, type RedisCommand } from './redis-command';

/**
 * Sends each group as `MULTI ... EXEC`, all groups in one pipeline (one round trip). A group is
 * atomic: its commands run together or (on a queueing error) not at all. Returns one result per
 * group: the replies of its commands, or the first error (a command that failed inside EXEC
 * fails its group; the other commands of that group did run, as Redis does not roll back).
 */
export async function executeAtomicGroups(
  client: Redis,
  groups: readonly (readonly RedisCommand[])[],
): Promise<BatchItemResult<unknown[]>[]> {
  if (groups.length === 0) return [];
  const pipeline = client.pipeline();
  for (const group of groups) {
    pipeline.call('MULTI');
    for (const command of group) pipeline.call(command.name, ...command.args);
    pipeline.call('EXEC');
  }
  const replies = await execOrThrow(pipeline, `pipeline of ${groups.length} MULTI groups`);
  const results: BatchItemResult<unknown[]>[] = [];
  let position = 0;
  for (const group of groups) {
    const slice = replies.slice(position, position + group.length + 2);
    position += group.length + 2;
    results.push(groupResult(slice, group));
  }
  return results;
}

function groupResult(replies: [Error | null, unknown][], group: readonly RedisCommand[]): BatchItemResult<unknown[]> {
  // replies: MULTI, one QUEUED (or queueing error) per command, EXEC.
  for (let index = 0; index < group.length; index += 1) {
    const queued = replies[index + 1];
    if (queued?.[0]) return { ok: false, error: commandError(queued[0], group[index] as RedisCommand) };
  }
  const exec = replies[group.length + 1];
  if (!exec) return { ok: false, error: new Error(`EXEC: no reply`) };
  if (exec[0]) return { ok: false, error: new Error(`EXEC of ${group.length} commands failed: ${exec[0].message}`, { cause: exec[0] }) };
  const values = (exec[1] ?? []) as unknown[];
  const failed = values.findIndex((value) => value instanceof Error);
  if (failed >= 0) return { ok: false, error: commandError(values[failed] as Error, group[failed] as RedisCommand) };
  return { ok: true, value: values };
}

async function execOrThrow(pipeline: ReturnType<Redis['pipeline']>, what: string): Promise<[Error | null, unknown][]> {
  try {
    const replies = await pipeline.exec();
    if (!replies) throw new Error('no replies');
    return replies;
  } catch (error) {
    throw new RedisBatchError(`${what} failed: ${(error as Error).message}`, error);
  }
}

function commandError(error: Error, command: RedisCommand): Error {
  const wrapped = new Error(`${describeCommand(command)}: ${error.message}`, { cause: error });
  wrapped.name = error.name;
  return wrapped;
}
