--[[
  read: the first round trip of a batch, one atomic read. Redis TIME (the batch's now), the three
  fields of every distinct symbol's efficiency hash that the efficiency reading uses and, with a
  price source (GOV_PRICE_KEY_PATTERN), the price and its time from each symbol's price hash: a
  plan's efficiency reading and price are of the same instant. Read-only.

  Protocol: read-protocol.ts builds the arguments and reads the reply.

  KEYS: none. The hash keys come in ARGV: Redis requires read and write access to every key
  passed as KEYS, and the governor's ACL user may only read them (docs/security.md).

  ARGV
    1 the reply's form: 'packed' or 'flat'
    2 the price field ('' = no price source)     3 the price time field
    4 n = the number of symbols
    then the n efficiency hash keys, then (with a price source) the n price hash keys, in the
    same order
  Reply
    {seconds, microseconds, then per symbol: status, score, confidence, ts, then (with a price
    source) per symbol: price, price time}, as a table (flat) or as one string of those pieces
    joined by U+001F (packed: one reply element per batch instead of four to six per symbol).
    A value holding U+001F makes more pieces than that; the governor then reads again, flat.
    Efficiency status:
      'ok'       all three fields present (values as stored)
      'missing'  no such key
      'partial'  the hash exists but lacks one of the fields (the reading is then invalid_eff)
      'error'    the read failed (score = the message): WRONGTYPE is bad data (invalid_eff),
                 anything else a Redis failure (redis_error)
    A price field that is absent, or a price key that is not a hash, gives '' (price unknown).
]]
local t = redis.call('TIME')
local out = {t[1], t[2]}
local n = 2
local price_field, price_ts_field = ARGV[2], ARGV[3]
local count = tonumber(ARGV[4])
local first = 5
for i = first, first + count - 1 do
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
if price_field ~= '' then
  for i = first + count, first + 2 * count - 1 do
    local v = redis.pcall('HMGET', ARGV[i], price_field, price_ts_field)
    if v.err then
      out[n + 1], out[n + 2] = '', ''
    else
      out[n + 1], out[n + 2] = v[1] or '', v[2] or ''
    end
    n = n + 2
  end
end
if ARGV[1] == 'flat' then return out end
return table.concat(out, '\31')
