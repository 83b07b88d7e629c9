--[[
  write: every proposal of a batch, appended to the proposal stream and written to its hash, in
  one atomic step: no hash is ever visible without its expiry or with fields of an older writer.
  Protocol: write-protocol.ts builds the arguments.

  KEYS
    1 the proposal stream
  ARGV
    1 MAXLEN ~ of the stream     2 the hashes' TTL (s)     3 ts_epoch     4 mode
    5 proposal key prefix
    6 every proposal's 10 values, each followed by U+001F, the last one by U+001E: symbol,
      base (stream), proposed (stream), multiplier, eff_score, eff_confidence, eff_stale,
      reason, base (hash), proposed (hash); none of them can contain U+001E or U+001F
  Reply
    the number of proposals written

  Per proposal: XADD, then HSET of the hash's 11 fields and EXPIRE. The hash written last loop
  holds exactly these fields, so HSET overwrites them in place; HLEN tells when it held more (a
  field of another writer) and a key of another type makes HSET fail: then DEL and HSET again.
  That is cheaper for Redis than DEL + HSET of a fresh hash every loop (docs/allocation-target.md).
]]
local stream = KEYS[1]
local maxlen, ttl, ts, mode, pp = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local call, pcall = redis.call, redis.pcall
-- the fields hset() writes
local FIELDS = 11
local function hset(fn, k, sym, bh, ph, m, es, ec, st, r)
  return fn('HSET', k, 'ts_epoch', ts, 'symbol', sym, 'base_target', bh, 'proposed_target', ph, 'multiplier', m,
    'eff_score', es, 'eff_confidence', ec, 'eff_stale', st, 'reason', r, 'mode', mode, 'last_update_ts_epoch', ts)
end
local n = 0
for sym, b, p, m, es, ec, st, r, bh, ph in string.gmatch(ARGV[6],
    '([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\31]*)\31([^\30]*)\30') do
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
