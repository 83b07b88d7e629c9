import type Redis from 'ioredis';
import type { RedisCommand } from '../batch/redis-command';
import { describeCommand } from '../batch/redis-command';
import { fieldPairs, type StreamFields } from './stream-fields';
import { xaddCommand } from './xadd-command';

export interface DeadLetter {
  /** The dead-letter stream, e.g. `quantum:stream:apply.plan.dlq`. */
  readonly stream: string;
  /** The original entry's fields, copied first and in their order. */
  readonly fields: StreamFields;
  /** Why it was dead-lettered (one line). */
  readonly error: string;
  /** The original entry's id in its source stream. */
  readonly sourceId: string;
  /** Epoch seconds; default now. Written as the shortest decimal. */
  readonly failedAt?: number;
  /** Approximate cap of the dead-letter stream; default none. */
  readonly maxLen?: number;
}

/**
 * `XADD <dlq> * ...original fields..., error, failed_at, source_id`. Original fields named
 * `error`, `failed_at` or `source_id` are kept as `orig_<name>` so the appended ones are unambiguous.
 * Returned as a command so a consumer can put it in one MULTI with its XACK.
 */
export function deadLetterCommand(letter: DeadLetter): RedisCommand {
  const reserved = new Set(['error', 'failed_at', 'source_id']);
  const original = fieldPairs(letter.fields).map(([name, value]) => [reserved.has(name) ? `orig_${name}` : name, value] as const);
  const failedAt = letter.failedAt ?? Date.now() / 1000;
  return xaddCommand(
    letter.stream,
    [...original, ['error', letter.error], ['failed_at', String(failedAt)], ['source_id', letter.sourceId]],
    letter.maxLen,
  );
}

/** Writes one dead letter; resolves with its id in the dead-letter stream. */
export async function writeDeadLetter(client: Redis, letter: DeadLetter): Promise<string> {
  const command = deadLetterCommand(letter);
  try {
    return String(await client.call(command.name, ...command.args));
  } catch (error) {
    throw new Error(`dead letter for ${letter.sourceId}: ${describeCommand(command)}: ${(error as Error).message}`, { cause: error });
  }
}
