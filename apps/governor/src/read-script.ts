/**
 * Round trip 1 of a batch as one script: Redis `TIME` (the batch's `now`) and the three fields
 * of every distinct symbol's efficiency hash that the efficiency reading uses. One EVALSHA
 * instead of TIME plus one HGETALL per symbol: far fewer commands for Redis to dispatch and
 * replies for the governor to decode, the same answers.
 *
 * ARGV: the efficiency hash keys. Returns {seconds, microseconds, then per key: status, score,
 * confidence, ts}; status:
 *   'ok'       all three fields present (values as stored)
 *   'missing'  no such key (HGETALL would give an empty hash)
 *   'partial'  the hash exists but lacks one of the fields (the reading is then invalid_eff)
 *   'error'    the read failed, e.g. WRONGTYPE (the reading is then redis_error); score = message
 * Read-only.
 */
export const READ_LUA = `
local t = redis.call('TIME')
local out = {t[1], t[2]}
local n = 2
for i = 1, #ARGV do
  local ok, v = pcall(redis.call, 'HMGET', ARGV[i], 'efficiency_score', 'confidence', 'ts')
  if not ok then
    local m = type(v) == 'table' and v.err or tostring(v)
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'error', m, '', ''
  elseif v[1] and v[2] and v[3] then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'ok', v[1], v[2], v[3]
  elseif redis.call('EXISTS', ARGV[i]) == 1 then
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'partial', '', '', ''
  else
    out[n + 1], out[n + 2], out[n + 3], out[n + 4] = 'missing', '', '', ''
  end
  n = n + 4
end
return out
`;
