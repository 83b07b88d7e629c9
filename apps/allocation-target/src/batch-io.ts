import type Redis from 'ioredis';
import type { EfficiencyHash, TargetHash } from '@quantum/efficiency-core';
import { HASH_FIELDS, MODE } from './proposal-fields';

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
 * ARGV: target key prefix, efficiency key prefix, the batch's symbols joined with spaces (a symbol
 * is `[A-Za-z0-9._-]`, so it never contains one). The script builds the key names itself (see
 * `readBatch` for why; single Redis only, like the governor's script).
 *
 * Fast reply, `{data, kind, index, text, ...}`: `data` is 4 fields per symbol joined with U+001F
 * (`target_usd`, `efficiency_score`, `confidence`, `ts`), a field that is absent being U+001E
 * alone (a value merely containing U+001E is unambiguous); then one triple per note: kind 1 = the target key could not be read (`text` = the
 * error, e.g. WRONGTYPE), kind 2 = the efficiency key could not be read or holds none of the three
 * fields (`text` = the error or `other_fields`: not empty, so `invalid_eff` rather than
 * `missing_eff`); `index` is the 1-based symbol index.
 *
 * If a value is U+001E or contains U+001F (only garbage can), the batch is answered in the legacy
 * flat form instead, after a leading nil: `{nil, targets 1..N, 3 values per efficiency key, E,
 * (1-based key index, text) pairs}` (indexes N+1..2N are efficiency keys), decoded by `decodeRead`.
 * Both forms come from the same single, atomic run of the script.
 */
export const READ_SCRIPT = `
local tp, ep = ARGV[1], ARGV[2]
local pcall, call = redis.pcall, redis.call
local NIL = '\\30'
local out, notes, isnil = {}, {}, {}
local i, o = 0, 0
local legacy = false
for sym in string.gmatch(ARGV[3], '[^ ]+') do
  i = i + 1
  local t = pcall('HGET', tp .. sym, 'target_usd')
  if not t then
    t = NIL
    isnil[o + 1] = true
  elseif type(t) == 'table' then
    notes[#notes + 1] = 1
    notes[#notes + 1] = i
    notes[#notes + 1] = t.err
    t = NIL
    isnil[o + 1] = true
  elseif t == NIL then
    legacy = true
  end
  local ek = ep .. sym
  local r = pcall('HMGET', ek, 'efficiency_score', 'confidence', 'ts')
  local s, c, ts
  if r.err then
    notes[#notes + 1] = 2
    notes[#notes + 1] = i
    notes[#notes + 1] = r.err
    s, c, ts = NIL, NIL, NIL
    isnil[o + 2], isnil[o + 3], isnil[o + 4] = true, true, true
  else
    s, c, ts = r[1], r[2], r[3]
    if not s and not c and not ts and call('EXISTS', ek) == 1 then
      notes[#notes + 1] = 2
      notes[#notes + 1] = i
      notes[#notes + 1] = 'other_fields'
    end
    if not s then s = NIL; isnil[o + 2] = true elseif s == NIL then legacy = true end
    if not c then c = NIL; isnil[o + 3] = true elseif c == NIL then legacy = true end
    if not ts then ts = NIL; isnil[o + 4] = true elseif ts == NIL then legacy = true end
  end
  out[o + 1] = t
  out[o + 2] = s
  out[o + 3] = c
  out[o + 4] = ts
  o = o + 4
end
local data = table.concat(out, '\\31')
if not legacy then
  -- a value holding U+001F would add a separator
  local _, seps = string.gsub(data, '\\31', '')
  legacy = o > 0 and seps ~= o - 1
end
if not legacy then
  local reply = { data }
  for j = 1, #notes do reply[j + 1] = notes[j] end
  return reply
end
-- a value is U+001E or holds U+001F: the legacy flat form (exact for any bytes)
local flat = { false }
for k = 1, i do
  local q = 4 * k - 3
  flat[k + 1] = not isnil[q] and out[q]
  for f = 1, 3 do
    flat[1 + i + 3 * (k - 1) + f] = not isnil[q + f] and out[q + f]
  end
end
local e = {}
for j = 1, #notes, 3 do
  e[#e + 1] = notes[j] == 1 and notes[j + 1] or i + notes[j + 1]
  e[#e + 1] = notes[j + 2]
end
flat[1 + 4 * i + 1] = #e
for j = 1, #e do flat[1 + 4 * i + 1 + j] = e[j] end
return flat
`;

/**
 * KEYS: the stream. ARGV: maxlen, ttl, ts_epoch, mode, proposal key prefix, then one argument
 * with every symbol's 10 values: each value followed by U+001F, the last one by U+001E (symbol,
 * base (stream), proposed (stream), multiplier, eff_score, eff_confidence, eff_stale, reason,
 * base (hash), proposed (hash)); none of them can contain U+001E or U+001F.
 *
 * Per symbol: XADD, then HSET of the 11 fields and EXPIRE of its hash. The hash written last loop
 * holds exactly these fields, so HSET overwrites them in place; HLEN tells when it held more (a
 * field of another writer) and a key of another type makes HSET fail: then DEL and HSET again.
 * That is cheaper for Redis than DEL + HSET of a fresh hash every loop (docs/allocation-target.md).
 * The whole batch is one atomic script, so no hash is ever visible without its expiry or with
 * fields of an older writer.
 */
export const WRITE_SCRIPT = `
local stream = KEYS[1]
local maxlen, ttl, ts, mode, pp = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local call, pcall = redis.call, redis.pcall
local FIELDS = ${HASH_FIELDS.length}
local function hset(fn, k, sym, bh, ph, m, es, ec, st, r)
  return fn('HSET', k, 'ts_epoch', ts, 'symbol', sym, 'base_target', bh, 'proposed_target', ph, 'multiplier', m,
    'eff_score', es, 'eff_confidence', ec, 'eff_stale', st, 'reason', r, 'mode', mode, 'last_update_ts_epoch', ts)
end
local n = 0
for sym, b, p, m, es, ec, st, r, bh, ph in string.gmatch(ARGV[6],
    '([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\31]*)\\31([^\\30]*)\\30') do
  call('XADD', stream, 'MAXLEN', '~', maxlen, '*', 'ts_epoch', ts, 'symbol', sym, 'base_target', b, 'proposed_target', p,
    'multiplier', m, 'eff_score', es, 'eff_confidence', ec, 'eff_stale', st, 'reason', r, 'mode', mode)
  local k = pp .. sym
  local added = hset(pcall, k, sym, bh, ph, m, es, ec, st, r)
  if type(added) == 'table' or call('HLEN', k) ~= FIELDS then
    call('DEL', k)
    hset(call, k, sym, bh, ph, m, es, ec, st, r)
  end
  call('EXPIRE', k, ttl)
  n = n + 1
end
return n
`;

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

/**
 * Reads `target_usd` and the efficiency fields of every symbol in one script call.
 *
 * The symbols travel as one argument and the script builds the key names: ioredis encodes each
 * argument separately (a length prefix, a string concatenation), which for 2 keys per symbol cost
 * about 2 µs of Node CPU per symbol, ten times the single argument. The reply is one string too
 * (see READ_SCRIPT), which halves the reply decoding. The price: keys are not declared to Redis,
 * so this needs a single Redis (no Cluster; a multi-key batch never worked there anyway). ACLs
 * still apply to every command the script runs.
 */
export async function readBatch(client: Redis, symbols: readonly string[], targetKeyPrefix: string, efficiencyKeyPrefix: string): Promise<SymbolInputs[]> {
  const reply = (await client.call('EVAL', READ_SCRIPT, 0, targetKeyPrefix, efficiencyKeyPrefix, symbols.join(' '))) as unknown[];
  const n = symbols.length;
  if (typeof reply[0] !== 'string') return decodeRead(reply.slice(1), n);
  return decodeFastRead(reply, n);
}

/** Decodes the fast form of the read script's reply (`{data, kind, index, text, ...}`). */
export function decodeFastRead(reply: readonly unknown[], n: number): SymbolInputs[] {
  const data = reply[0] as string;
  let targetErrors: Map<number, string> | undefined;
  let effNotes: Map<number, string> | undefined;
  for (let j = 1; j < reply.length; j += 3) {
    const index = Number(reply[j + 1]) - 1;
    const text = String(reply[j + 2]);
    if (Number(reply[j]) === 1) (targetErrors ??= new Map()).set(index, text);
    else (effNotes ??= new Map()).set(index, text);
  }
  const out: SymbolInputs[] = new Array<SymbolInputs>(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    // 4 fields, each ended by U+001F except the very last one; U+001E alone = absent
    let q = data.indexOf('\x1f', p);
    const t = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    const score = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    const confidence = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    if (q < 0) q = data.length;
    const ts = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;

    const targetError = targetErrors?.get(i);
    const target: TargetHash | null = targetError !== undefined ? null : t === undefined ? NO_TARGET : { target_usd: t };
    let efficiency: EfficiencyHash | null;
    if (effNotes !== undefined && effNotes.has(i)) {
      efficiency = NOT_A_HASH; // WRONGTYPE, or a hash with none of the fields: invalid_eff
    } else if (score === undefined && confidence === undefined && ts === undefined) {
      efficiency = null;
    } else if (score !== undefined && confidence !== undefined && ts !== undefined) {
      efficiency = { efficiency_score: score, confidence, ts };
    } else {
      const h: Record<string, string> = {};
      if (score !== undefined) h['efficiency_score'] = score;
      if (confidence !== undefined) h['confidence'] = confidence;
      if (ts !== undefined) h['ts'] = ts;
      efficiency = h;
    }
    out[i] = { target, targetError, efficiency };
  }
  return out;
}

/** Decodes the legacy flat form of the read script's reply (after its leading nil). */
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

/**
 * Appends every proposal to the stream and replaces its hash, in one script call. `packed` is
 * the concatenation of `encodeProposal` records (one per written proposal).
 */
export async function writeBatch(client: Redis, packed: string, o: WriteBatchOptions): Promise<void> {
  if (packed.length === 0) return;
  await client.call('EVAL', WRITE_SCRIPT, 1, o.streamName, o.streamMaxLen, o.ttlSec, o.tsEpoch, MODE, o.proposedKeyPrefix, packed);
}
