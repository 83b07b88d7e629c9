--[[
  dead-letter: a malformed or over-delivered entry, copied to the dead-letter stream.

  A dead letter claims no plan_id (a corrected plan may be sent again with it): its replay is told
  by its entry record, or by a decision record the entry itself wrote. The copy holds the
  original fields in order, then dlq_error, dlq_entry_id, dlq_time; the stream is trimmed with
  MAXLEN ~ maxlen in the same XADD.

  Defines dead_letters(dlq, maxlen, now, ttl, decision_prefix, entry_key, own_decision, event),
  the last three from plan_claims and audit_events; returns one function:
    dead_letter(eid, pid, sym, reason, first, n)  the original fields are ARGV[first],
                                                  ..., ARGV[first + n - 1]; returns outcome,
                                                  reason ('already' and the earlier
                                                  "outcome|reason" for a replay)
]]
-- luacheck: ignore 211/dead_letters (used by the scripts that include this file)
local function dead_letters(dlq, maxlen, now, ttl, decision_prefix, entry_key, own_decision, event)
  local call, unpack = redis.call, unpack

  return function(eid, pid, sym, reason, first, n)
    local ekey = entry_key(eid)
    local prev, d
    if pid ~= '' then
      local both = call('MGET', ekey, decision_prefix .. pid)
      prev, d = both[1], both[2]
    else
      prev = call('GET', ekey)
    end
    if prev then return 'already', prev end
    local earlier = d and own_decision(d, eid)
    if earlier then return 'already', earlier end
    local f = {}
    for j = 1, n do f[j] = ARGV[first + j - 1] end
    f[n + 1] = 'dlq_error'; f[n + 2] = reason
    f[n + 3] = 'dlq_entry_id'; f[n + 4] = eid
    f[n + 5] = 'dlq_time'; f[n + 6] = now
    call('XADD', dlq, 'MAXLEN', '~', maxlen, '*', unpack(f))
    event(eid, pid, sym, 'dead_letter', reason)
    -- the entry record last: a step that fails before it leaves no record, so the retry writes
    -- the copy and the event instead of reading the entry as decided
    call('SET', ekey, 'dead_letter|' .. reason, 'EX', ttl)
    return 'dead_letter', reason
  end
end
