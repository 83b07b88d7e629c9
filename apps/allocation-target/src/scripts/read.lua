--[[
  read: target_usd and the efficiency fields of every symbol of a batch, one atomic read.
  Protocol: read-protocol.ts builds the arguments and decodes the reply.

  KEYS: none. The script builds the key names from the prefixes: ioredis encodes each argument
  separately, which for 2 keys per symbol cost about 2 µs of Node CPU per symbol, ten times one
  argument holding every symbol. So this script needs a single Redis (no Cluster); ACLs still
  apply to every command it runs. Reads use redis.pcall: a key of the wrong type is that
  symbol's problem, never the batch's.

  ARGV
    1 target key prefix       2 efficiency key prefix
    3 the batch's symbols joined with spaces (a symbol is [A-Za-z0-9._-], never a space)

  Reply, fast form: {data, kind, index, text, ...}
    data: 4 fields per symbol joined with U+001F (target_usd, efficiency_score, confidence, ts),
    a field that is absent being U+001E alone (a value merely containing U+001E is
    unambiguous); then one triple per note: kind 1 = the target key could not be read (text =
    the error, e.g. WRONGTYPE), kind 2 = the efficiency key could not be read or holds none of
    the three fields (text = the error or 'other_fields': not empty, so invalid_eff rather than
    missing_eff); index is the 1-based symbol index.
  Reply, flat form, when a value is U+001E or contains U+001F (only garbage can):
    {false, targets 1..N, 3 values per efficiency key, E, (1-based key index, text) pairs}
    (indexes N+1..2N are efficiency keys). Both forms come from the same single run.
]]
local tp, ep = ARGV[1], ARGV[2]
local pcall, call = redis.pcall, redis.call
local NIL = '\30'
local out, notes, isnil = {}, {}, {}
local i, o = 0, 0
local flat_form = false
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
    flat_form = true
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
    if not s then s = NIL; isnil[o + 2] = true elseif s == NIL then flat_form = true end
    if not c then c = NIL; isnil[o + 3] = true elseif c == NIL then flat_form = true end
    if not ts then ts = NIL; isnil[o + 4] = true elseif ts == NIL then flat_form = true end
  end
  out[o + 1] = t
  out[o + 2] = s
  out[o + 3] = c
  out[o + 4] = ts
  o = o + 4
end
local data = table.concat(out, '\31')
if not flat_form then
  -- a value holding U+001F would add a separator
  local _, seps = string.gsub(data, '\31', '')
  flat_form = o > 0 and seps ~= o - 1
end
if not flat_form then
  local reply = { data }
  for j = 1, #notes do reply[j + 1] = notes[j] end
  return reply
end
-- a value is U+001E or holds U+001F: the flat form (exact for any bytes)
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
