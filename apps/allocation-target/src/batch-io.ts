import type Redis from 'ioredis';
import type { EfficiencyHash, TargetHash } from '@quantum/efficiency-core';
import type { FormattedProposal } from './proposal-fields';
import { MODE } from './proposal-fields';

/**
 * Redis I/O of one batch of symbols, one command each way.
 *
 * Both directions are small Lua scripts sent with EVAL (Redis caches the compiled script by its
 * SHA, so a restarted Redis needs nothing reloaded). Compared with a pipeline of HGETALLs and
 * MULTI groups this sends one command per batch instead of 2 (reads) and 6 (writes) per symbol,
 * which is what brings a 100k-symbol loop under a second (see docs/allocation-target.md).
 *
 * Reads use `redis.pcall`, so a key of the wrong type is that symbol's problem (reported as a
 * string) and never fails the batch.
 */

/**
 * KEYS: N target keys, then N efficiency keys. Returns one flat array (no nested tables: they
 * cost Redis and Node about 20 % more):
 * - items 1..N: each target's `target_usd` (nil when absent or the key is not a hash);
 * - then 3 items per efficiency key: `efficiency_score`, `confidence`, `ts` (nil when absent);
 * - then the number E of the following items, then pairs (1-based key index, error text) for
 *   keys whose read failed (WRONGTYPE), and (index, 'other_fields') for an efficiency hash that
 *   exists without any of the three fields (not empty, so `invalid_eff` rather than `missing_eff`).
 */
export const READ_SCRIPT = `
local n = #KEYS / 2
local out = {}
local notes = {}
for i = 1, n do
  local r = redis.pcall('HGET', KEYS[i], 'target_usd')
  if type(r) == 'table' and r.err then
    out[i] = false
    notes[#notes + 1] = i
    notes[#notes + 1] = r.err
  else
    out[i] = r
  end
end
local o = n
for i = n + 1, 2 * n do
  local k = KEYS[i]
  local r = redis.pcall('HMGET', k, 'efficiency_score', 'confidence', 'ts')
  if type(r) == 'table' and r.err then
    notes[#notes + 1] = i
    notes[#notes + 1] = r.err
    r = { false, false, false }
  elseif r[1] == false and r[2] == false and r[3] == false and redis.call('EXISTS', k) == 1 then
    notes[#notes + 1] = i
    notes[#notes + 1] = 'other_fields'
  end
  out[o + 1] = r[1]
  out[o + 2] = r[2]
  out[o + 3] = r[3]
  o = o + 3
end
out[o + 1] = #notes
for j = 1, #notes do out[o + 1 + j] = notes[j] end
return out
`;

/**
 * KEYS: the stream, then N proposal hash keys.
 * ARGV: maxlen, ttl, ts_epoch, mode, then one argument per symbol: its 10 values joined with
 * U+001F (symbol, base (stream), proposed (stream), multiplier, eff_score, eff_confidence,
 * eff_stale, reason, base (hash), proposed (hash)); none of them can contain U+001F. One argument
 * instead of ten per symbol costs Redis a little splitting and saves Node more encoding.
 * Per symbol: XADD, then DEL + HSET + EXPIRE of its hash (the whole batch is one atomic script,
 * so no hash is ever visible without its expiry or with fields of an older writer).
 */
export const WRITE_SCRIPT = `
local stream = KEYS[1]
local maxlen, ttl, ts, mode = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local find, sub = string.find, string.sub
local v = {}
for i = 2, #KEYS do
  local packed = ARGV[i + 3]
  local p = 1
  for j = 1, 9 do
    local q = find(packed, '\\31', p, true)
    v[j] = sub(packed, p, q - 1)
    p = q + 1
  end
  v[10] = sub(packed, p)
  redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'ts_epoch', ts, 'symbol', v[1], 'base_target', v[2], 'proposed_target', v[3],
    'multiplier', v[4], 'eff_score', v[5], 'eff_confidence', v[6], 'eff_stale', v[7], 'reason', v[8], 'mode', mode)
  local k = KEYS[i]
  redis.call('DEL', k)
  redis.call('HSET', k, 'ts_epoch', ts, 'symbol', v[1], 'base_target', v[9], 'proposed_target', v[10], 'multiplier', v[4],
    'eff_score', v[5], 'eff_confidence', v[6], 'eff_stale', v[7], 'reason', v[8], 'mode', mode, 'last_update_ts_epoch', ts)
  redis.call('EXPIRE', k, ttl)
end
return #KEYS - 1
`;

/** Separator of the packed per-symbol write values. */
const SEP = '\x1f';

/** One symbol's inputs: the target hash (only `target_usd` is read) and the efficiency hash. */
export interface SymbolInputs {
  /** `null` when the target key could not be read as a hash (e.g. WRONGTYPE); see `targetError`. */
  readonly target: TargetHash | null;
  readonly targetError: string | undefined;
  /** `null`: no efficiency hash. A key of the wrong type reads as a non-hash (invalid_eff). */
  readonly efficiency: EfficiencyHash | null;
}

/** Stands for an efficiency key that is there but not usable as such (reads as invalid_eff). */
const NOT_A_HASH: EfficiencyHash = Object.freeze({ efficiency_score: '', confidence: '', ts: '' });
const NO_TARGET: TargetHash = Object.freeze({});

export async function readBatch(client: Redis, targetKeys: readonly string[], efficiencyKeys: readonly string[]): Promise<SymbolInputs[]> {
  const n = targetKeys.length;
  // one array argument (ioredis flattens it): spreading 20k arguments into a call is slow and
  // can overflow the stack
  const args: (string | number)[] = new Array<string | number>(2 + 2 * n);
  args[0] = READ_SCRIPT;
  args[1] = 2 * n;
  for (let i = 0; i < n; i++) {
    args[2 + i] = targetKeys[i] as string;
    args[2 + n + i] = efficiencyKeys[i] as string;
  }
  const reply = (await client.call('EVAL', args)) as unknown[];
  return decodeRead(reply, n);
}

/** Decodes the read script's reply into one `SymbolInputs` per symbol. */
export function decodeRead(reply: readonly unknown[], n: number): SymbolInputs[] {
  // notes first: which keys failed or hold other fields only
  const base = 4 * n;
  const noteCount = Number(reply[base]);
  let targetErrors: Map<number, string> | undefined;
  let effNotes: Map<number, string> | undefined;
  for (let j = 0; j < noteCount; j += 2) {
    const index = Number(reply[base + 1 + j]) - 1; // 0-based key index
    const text = String(reply[base + 2 + j]);
    if (index < n) (targetErrors ??= new Map()).set(index, text);
    else (effNotes ??= new Map()).set(index - n, text);
  }
  const out: SymbolInputs[] = new Array<SymbolInputs>(n);
  for (let i = 0; i < n; i++) {
    const targetError = targetErrors?.get(i);
    const t = reply[i];
    const target: TargetHash | null = targetError !== undefined ? null : t == null ? NO_TARGET : { target_usd: String(t) };
    let efficiency: EfficiencyHash | null;
    const note = effNotes?.get(i);
    if (note !== undefined) {
      efficiency = NOT_A_HASH; // WRONGTYPE, or a hash with none of the fields: invalid_eff
    } else {
      const o = n + 3 * i;
      const score = reply[o];
      const confidence = reply[o + 1];
      const ts = reply[o + 2];
      if (score == null && confidence == null && ts == null) efficiency = null;
      else {
        const h: Record<string, string> = {};
        if (score != null) h['efficiency_score'] = String(score);
        if (confidence != null) h['confidence'] = String(confidence);
        if (ts != null) h['ts'] = String(ts);
        efficiency = h;
      }
    }
    out[i] = { target, targetError, efficiency };
  }
  return out;
}

export interface WriteBatchOptions {
  readonly streamName: string;
  readonly streamMaxLen: number;
  readonly ttlSec: number;
  readonly proposedKeyPrefix: string;
  readonly tsEpoch: string;
}

/** Appends every proposal to the stream and replaces its hash, in one script call. */
export async function writeBatch(client: Redis, proposals: readonly FormattedProposal[], o: WriteBatchOptions): Promise<void> {
  if (proposals.length === 0) return;
  const n = proposals.length;
  const args: (string | number)[] = new Array<string | number>(2 + n + 4 + n);
  let a = 0;
  args[a++] = WRITE_SCRIPT;
  args[a++] = 1 + n;
  args[a++] = o.streamName;
  for (let i = 0; i < n; i++) args[a++] = o.proposedKeyPrefix + (proposals[i] as FormattedProposal).symbol;
  args[a++] = o.streamMaxLen;
  args[a++] = o.ttlSec;
  args[a++] = o.tsEpoch;
  args[a++] = MODE;
  for (let i = 0; i < n; i++) {
    const p = proposals[i] as FormattedProposal;
    args[a++] =
      p.symbol + SEP + p.baseStream + SEP + p.proposedStream + SEP + p.multiplier + SEP + p.effScore + SEP +
      p.effConfidence + SEP + p.effStale + SEP + p.reason + SEP + p.baseHash + SEP + p.proposedHash;
  }
  await client.call('EVAL', args);
}
