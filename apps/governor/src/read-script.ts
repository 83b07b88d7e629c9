/**
 * Round trip 1 of a batch as one script: Redis `TIME` (the batch's `now`) and the three fields
 * of every distinct symbol's efficiency hash that the efficiency reading uses. One EVALSHA
 * instead of TIME plus one HGETALL per symbol: far fewer commands for Redis to dispatch and
 * replies for the governor to decode, the same answers.
 *
 * ARGV: the reply's form ({@link READ_PACKED} or {@link READ_FLAT}), then the efficiency hash
 * keys. The reply is {seconds, microseconds, then per key: status, score, confidence, ts}, as a
 * table (flat) or as one string of those pieces joined by {@link READ_SEPARATOR} (packed: one
 * reply element per batch instead of four per symbol, for Redis to write and the governor to
 * decode). A value holding the separator makes more pieces than that; the governor then reads
 * again, flat. Status:
 *   'ok'       all three fields present (values as stored)
 *   'missing'  no such key (HGETALL would give an empty hash)
 *   'partial'  the hash exists but lacks one of the fields (the reading is then invalid_eff)
 *   'error'    the read failed, e.g. WRONGTYPE (the reading is then redis_error); score = message
 * Read-only.
 */
export const READ_PACKED = 'packed';
export const READ_FLAT = 'flat';
export const READ_SEPARATOR = '\x1f';

export const READ_LUA = `
local t = redis.call('TIME')
local out = {t[1], t[2]}
local n = 2
for i = 2, #ARGV do
  local key = ARGV[i]
  local v = redis.pcall('HMGET', key, 'efficiency_score', 'confidence', 'ts')
  if v.err then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'error', v.err, '', ''
  elseif v[1] and v[2] and v[3] then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'ok', v[1], v[2], v[3]
  elseif redis.call('EXISTS', key) == 1 then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'partial', '', '', ''
  else
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'missing', '', '', ''
  end
  n = n + 4
end
if ARGV[1] == '${READ_FLAT}' then return out end
return table.concat(out, '\\31')
`;
