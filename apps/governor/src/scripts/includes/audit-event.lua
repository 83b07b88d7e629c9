--[[
  audit-event: the audit stream, one event per decision (docs/governor.md "Outcomes, records and
  reasons"): plan_id, symbol, outcome, reason, time, entry_id, mode.

  Defines audit_events(stream, now, mode), which returns two functions:
    event(eid, pid, sym, outcome, reason)  appends one event (XADD, not trimmed)
    trim(maxlen)                           trims the stream (MAXLEN ~) when an event was appended:
                                           once per script run rather than in each XADD, the same
                                           bound for one call instead of a trim check per event
]]
-- luacheck: ignore 211/audit_events (used by the scripts that include this file)
local function audit_events(stream, now, mode)
  local call = redis.call
  local appended = false

  local function event(eid, pid, sym, outcome, reason)
    appended = true
    call('XADD', stream, '*',
      'plan_id', pid, 'symbol', sym, 'outcome', outcome, 'reason', reason,
      'time', now, 'entry_id', eid, 'mode', mode)
  end

  local function trim(maxlen)
    if appended then call('XTRIM', stream, 'MAXLEN', '~', maxlen) end
  end

  return event, trim
end
