import type Redis from 'ioredis';
import { ScriptRunner } from '@quantum/redis-streams';
import { parseReadReply, readCall, READ_SCRIPT, type SymbolInputs } from './scripts/read-protocol';
import { writeCall, WRITE_SCRIPT, type WriteBatchOptions } from './scripts/write-protocol';

/**
 * Redis I/O of one batch of symbols, one script call each way, instead of 2 (reads) and 6
 * (writes) commands per symbol: that is what brings a 100k-symbol loop under a second (see
 * docs/allocation-target.md).
 */

/**
 * One runner per connection. The scripts go with every call (EVAL): allocation-target's ACL user
 * (docs/security.md) may run EVAL, not SCRIPT LOAD or EVALSHA.
 */
const runners = new WeakMap<Redis, ScriptRunner>();

function scriptsOn(client: Redis): ScriptRunner {
  let runner = runners.get(client);
  if (!runner) {
    runner = new ScriptRunner(client, { send: 'eval' });
    runners.set(client, runner);
  }
  return runner;
}

/** Reads `target_usd` and the efficiency fields of every symbol in one script call. */
export async function readBatch(client: Redis, symbols: readonly string[], targetKeyPrefix: string, efficiencyKeyPrefix: string): Promise<SymbolInputs[]> {
  const reply = (await scriptsOn(client).run(READ_SCRIPT, readCall(symbols, targetKeyPrefix, efficiencyKeyPrefix))) as unknown[];
  return parseReadReply(reply, symbols.length);
}

/**
 * Appends every proposal to the stream and replaces its hash, in one script call. `packed` is
 * the concatenation of `appendProposal` records (one per written proposal).
 */
export async function writeBatch(client: Redis, packed: string, o: WriteBatchOptions): Promise<void> {
  if (packed.length === 0) return;
  await scriptsOn(client).run(WRITE_SCRIPT, writeCall(packed, o));
}
