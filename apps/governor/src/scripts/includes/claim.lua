--[[
  claim: each plan_id is decided once.

  The decision record {decision prefix}{plan_id} = "entry_id|outcome|reason" (EX ttl) is written
  only when absent, with SET NX GET: the dedupe read and the claim in one call, made after the
  gates and before any other write of the plan. An entry that claims no plan_id (a dead letter,
  an already_decided duplicate) keeps its own record {entry prefix}{entry_id} = "outcome|reason"
  (EX ttl) instead, which tells its replay.

  Defines plan_claims(ttl, entry_prefix, event), where event is audit_events' event; returns:
    claim(dkey, value, eid, pid, sym)  writes the decision record dkey = value unless the plan_id
                                       is decided; returns nothing when this entry claimed it,
                                       else outcome, reason: 'already' and the earlier
                                       "outcome|reason" when this very entry was decided before
                                       (nothing written), or 'duplicate', 'already_decided'
                                       (entry record and event written)
    entry_key(eid)                     the entry record's key
    own_decision(d, eid)               the "outcome|reason" of decision record value d when
                                       entry eid wrote it, else nil
]]
-- luacheck: ignore 211/plan_claims (used by the scripts that include this file)
local function plan_claims(ttl, entry_prefix, event)
  local call, find, sub = redis.call, string.find, string.sub

  local function entry_key(eid)
    return entry_prefix .. eid
  end

  local function own_decision(d, eid)
    local sep = find(d, '|', 1, true)
    if sep and sub(d, 1, sep - 1) == eid then return sub(d, sep + 1) end
    return nil
  end

  local function claim(dkey, value, eid, pid, sym)
    local d = call('SET', dkey, value, 'NX', 'GET', 'EX', ttl)
    if not d then return nil end
    -- replay of the entry that owns the plan decision
    local earlier = own_decision(d, eid)
    if earlier then return 'already', earlier end
    -- replay of an entry decided as a duplicate
    local ekey = entry_key(eid)
    local prev = call('GET', ekey)
    if prev then return 'already', prev end
    call('SET', ekey, 'duplicate|already_decided', 'EX', ttl)
    event(eid, pid, sym, 'duplicate', 'already_decided')
    return 'duplicate', 'already_decided'
  end

  return claim, entry_key, own_decision
end
