import type Redis from 'ioredis';
import type { BatchItemResult } from '../batch/batch-results';
import { executeBatch } from '../batch/execute-batch';
import { describeCommand } from '../batch/redis-command';
import type { StreamFields } from './stream-fields';
import { xaddCommand } from './xadd-command';

export interface StreamProducerOptions {
  readonly stream: string;
  /** Approximate cap (`MAXLEN ~`); 0 or undefined: no trimming. */
  readonly maxLen?: number;
}

/** Appends entries to one stream with `XADD stream MAXLEN ~ N * field value ...`, fields in the given order. */
export class StreamProducer {
  constructor(
    private readonly client: Redis,
    readonly options: StreamProducerOptions,
  ) {}

  /** Appends one entry; resolves with its id. */
  async add(fields: StreamFields): Promise<string> {
    const command = xaddCommand(this.options.stream, fields, this.options.maxLen);
    try {
      return String(await this.client.call(command.name, ...command.args));
    } catch (error) {
      throw new Error(`${describeCommand(command)}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Appends every entry in one pipeline, in order; one result (the id or that entry's error) per entry. */
  async addMany(entries: readonly StreamFields[]): Promise<BatchItemResult<string>[]> {
    const results = await executeBatch(
      this.client,
      entries.map((fields) => xaddCommand(this.options.stream, fields, this.options.maxLen)),
    );
    return results.map((result) => (result.ok ? { ok: true, value: String(result.value) } : result));
  }
}
