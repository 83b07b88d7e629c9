--[[
  Gates that need only the plan and the settings (exposure, kill score, per-trade notional,
  unknown notional) are decided in TypeScript (static-gates.ts); gates that need shared state
  (kill switch, cooldown, hourly and 5-minute counts, daily notional) are decided here, in the
  decide script, in contract order around the first ones' verdict.

  decide: the governor's decisions, one atomic step per chunk of plan stream entries.

  One call decides a whole chunk of entries in stream order and then acknowledges (XACK) every
  entry it decided (docs/governor.md "Exactly one decision"). No other client (another replica,
  the apply layer) sees a state between two plans of a chunk, and no crash can separate a
  decision from its acknowledgement. One call per chunk rather than per plan: the per-call cost
  of EVALSHA (argument table, script lookup, reply) would be most of Redis's time per plan,
  while inside one call a plan costs only its own redis.call()s: three per permit (the claim,
  the permit, the audit event), plus per chunk one MGET of the gate states, the kill switch, one
  SET per changed gate state, one XTRIM of the audit stream and the XACK.

  Protocol: decide-protocol.ts builds the arguments and reads the reply.

  KEYS: none. Key names and prefixes come in ARGV: Redis requires read and write access to every
  key passed as KEYS, while the governor's ACL user may only read the kill switch and only write
  the audit and dead-letter streams (docs/security.md); a plan's keys are built from its entry.
  So this script needs a single Redis (no Cluster).

  ARGV, a header:
     1 now (epoch s)              2 UTC day (YYYY-MM-DD)      3 mode ('enforce' | 'dry_run')
     4 decision TTL (s)           5 permit TTL (s)            6 block record TTL (s)
     7 cooldown (s)               8 max permits per hour      9 max permits per 5 min
    10 max notional per UTC day  11 permit history floor (gate-state.lua)
    12 audit stream              13 MAXLEN ~ of the audit and dead-letter streams
    14 dead-letter stream        15 kill switch key
    16 decision record prefix    17 entry record prefix      18 permit prefix
    19 block record prefix       20 gate state prefix
    21 legacy permit times prefix                            22 legacy day notional prefix
    23 stream to XACK ('' = none)                            24 its consumer group
  (limits: 0 = off), then one record per entry, its length by kind:
    'execute', entry id, plan_id, symbol, verdict, notional, notional granted, permit JSON
        verdict: static-gates.ts ('' none, 'exempt' (gates 3-6 do not apply),
        'notional_unknown_allowed', or the reason of gate 3 or of gate 6's plan-only checks);
        notional and notional granted: '' when unknown
    'skip', entry id, plan_id, symbol, reason
    'dead', entry id, plan_id ('' unknown), symbol ('' unknown), reason, n, then the n original
        fields, flat

  Reply: {acked, "outcome1\nreason1\noutcome2\nreason2..."}
    acked: 1 when the XACK of the decided entries ran. Outcomes and reasons come packed in one
    string (two reply elements per chunk instead of two per entry). Outcome 'already' (reason =
    the earlier "outcome|reason") means this very entry was decided before and nothing was
    written; 'error' (reason = the Redis error) means that entry's step failed, is not
    acknowledged and stays pending, while its neighbours are decided. The reasons of these two
    can hold any text, so a newline in them becomes a space; every other reason is one of the
    governor's own words.

  Records (besides the gate state, the claim and the dead letter of the includes):
    {permit prefix}{plan_id}        the permit JSON (SET NX EX permit TTL)
    {block prefix}{plan_id}         {"reason","timestamp","symbol"} (EX block TTL)
]]
-- @include audit-event
-- @include gate-state
-- @include claim
-- @include dead-letter
-- luacheck: read globals audit_events gate_state plan_claims dead_letters (the includes above)

local call, tonumber, pcall, unpack = redis.call, tonumber, pcall, unpack
local gsub, concat = string.gsub, table.concat

local now, day, mode = ARGV[1], ARGV[2], ARGV[3]
local ttl, permit_ttl, block_ttl = ARGV[4], ARGV[5], ARGV[6]
local cooldown, max_hour, max_5m = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local max_day, history_floor = tonumber(ARGV[10]), tonumber(ARGV[11])
local events, maxlen, dlq, kill_key = ARGV[12], ARGV[13], ARGV[14], ARGV[15]
local decision_prefix, entry_prefix, permit_prefix, block_prefix = ARGV[16], ARGV[17], ARGV[18], ARGV[19]
local gate_prefix, legacy_permits_prefix, legacy_notional_prefix = ARGV[20], ARGV[21], ARGV[22]
local ack_stream, ack_group = ARGV[23], ARGV[24]
local FIRST_RECORD = 25

local event, trim_events = audit_events(events, now, mode)
local gates = gate_state({
  now = tonumber(now), day = day, cooldown = cooldown, max_hour = max_hour, max_5m = max_5m,
  history_floor = history_floor, prefix = gate_prefix,
  legacy_permits_prefix = legacy_permits_prefix, legacy_notional_prefix = legacy_notional_prefix,
})
local gate_state_of, permits_within, admit = gates.of, gates.within, gates.admit
local claim, entry_key, own_decision = plan_claims(ttl, entry_prefix, event)
local dead_letter = dead_letters(dlq, maxlen, now, ttl, decision_prefix, entry_key, own_decision, event)

local function record_end(i, kind)
  if kind == 'execute' then return i + 8 end
  if kind == 'skip' then return i + 5 end
  return i + 6 + tonumber(ARGV[i + 5])
end

-- The gate states of every symbol the chunk's EXECUTE entries name, in one MGET before the first
-- entry (one call per chunk instead of one per symbol).
do
  local symbols, seen = {}, {}
  local j = FIRST_RECORD
  while j <= #ARGV do
    local kind = ARGV[j]
    if kind == 'execute' then
      local s = ARGV[j + 3]
      if not seen[s] then
        seen[s] = true
        symbols[#symbols + 1] = s
      end
    end
    j = record_end(j, kind)
  end
  gates.prefetch(symbols)
end

-- The kill switch is read once per chunk: the chunk is atomic, so it cannot change in between.
local killed = nil

-- An EXECUTE entry whose record starts at ARGV[i]: the gates, in contract order; the first that
-- says no gives the reason. The gate state is read (and checked) before anything is written; it
-- changes only once the plan is claimed.
local function decide_execute(i, eid, pid, sym, dkey)
  local verdict, notional, granted = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local st = gate_state_of(sym)
  if killed == nil then killed = call('GET', kill_key) == '1' end

  local reason = ''
  if killed then
    reason = 'kill_switch_active'
  elseif verdict ~= 'exempt' then
    if verdict == 'kill_score_critical_non_close' then
      reason = verdict
    elseif cooldown > 0 and permits_within(st, 1, cooldown) then
      reason = 'symbol_cooldown'
    elseif max_hour > 0 and permits_within(st, max_hour, 3600) then
      reason = 'hourly_limit_exceeded'
    elseif max_5m > 0 and permits_within(st, max_5m, 300) then
      reason = 'burst_limit_exceeded'
    elseif verdict ~= '' and verdict ~= 'notional_unknown_allowed' then
      reason = verdict
    elseif max_day > 0 and notional ~= '' and st.total + tonumber(notional) > max_day then
      reason = 'daily_limit_exceeded'
    end
  end

  local permit = reason == '' or mode == 'dry_run'
  local r = reason
  if r == '' then
    -- a permit whose notional nobody knows says so in its audit event
    r = verdict == 'notional_unknown_allowed' and verdict or 'ok'
  end
  local outcome = permit and 'permitted' or 'blocked'
  local o, why = claim(dkey, eid .. '|' .. outcome .. '|' .. r, eid, pid, sym)
  if o then return o, why end
  if permit and not call('SET', permit_prefix .. pid, ARGV[i + 7], 'NX', 'EX', permit_ttl) then
    -- a permit for this plan_id exists although no decision was remembered (expired or
    -- evicted): never overwrite it. The claim just written said otherwise and is corrected, so
    -- this entry owns the plan_id as a duplicate. Older builds kept such a duplicate in its
    -- entry record only, and a replay of one of those is told by that record.
    local prev = call('GET', entry_key(eid))
    call('SET', dkey, eid .. '|duplicate|permit_exists', 'EX', ttl)
    if prev then return 'already', prev end
    event(eid, pid, sym, 'duplicate', 'permit_exists')
    return 'duplicate', 'permit_exists'
  end
  -- the gate state changes only for plans the gates admit (also in dry_run)
  if reason == '' then admit(st, granted) end
  if permit then
    event(eid, pid, sym, 'permitted', r)
    return 'permitted', r
  end
  call('SET', block_prefix .. pid,
    '{"reason":"' .. reason .. '","timestamp":' .. now .. ',"symbol":"' .. sym .. '"}', 'EX', block_ttl)
  event(eid, pid, sym, 'blocked', reason)
  return 'blocked', reason
end

-- Decides the entry whose record starts at ARGV[i]; returns outcome, reason.
local function decide(i, kind, eid, pid, sym)
  if kind == 'dead' then return dead_letter(eid, pid, sym, ARGV[i + 4], i + 6, tonumber(ARGV[i + 5])) end
  local dkey = decision_prefix .. pid
  if kind == 'skip' then
    -- a skipped plan claims its plan_id (a later EXECUTE with it is a duplicate)
    local reason = ARGV[i + 4]
    local o, r = claim(dkey, eid .. '|skipped|' .. reason, eid, pid, sym)
    if o then return o, r end
    event(eid, pid, sym, 'skipped', reason)
    return 'skipped', reason
  end
  return decide_execute(i, eid, pid, sym, dkey)
end

local function message(e)
  if type(e) == 'table' then return e.err or 'error' end
  return tostring(e)
end

local out = {}
local decided = {}
local i = FIRST_RECORD
while i <= #ARGV do
  local kind, eid = ARGV[i], ARGV[i + 1]
  -- pcall: an error (e.g. WRONGTYPE on this plan's gate key) fails this entry only
  local ok, outcome, reason = pcall(decide, i, kind, eid, ARGV[i + 2], ARGV[i + 3])
  if ok then
    decided[#decided + 1] = eid
    if outcome == 'already' then reason = gsub(reason, '\n', ' ') end
  else
    outcome, reason = 'error', gsub(message(outcome), '\n', ' ')
  end
  out[#out + 1] = outcome
  out[#out + 1] = reason
  i = record_end(i, kind)
end

gates.save()
trim_events(maxlen)

-- Acknowledge what was decided, in the same atomic step (no redelivery window). Slices keep
-- unpack() far below Lua's stack limit.
local acked = 0
if ack_stream ~= '' and #decided > 0 then
  local ok = true
  for s = 1, #decided, 500 do
    local e = s + 499
    if e > #decided then e = #decided end
    ok = pcall(call, 'XACK', ack_stream, ack_group, unpack(decided, s, e)) and ok
  end
  -- not acked (e.g. NOGROUP): the consumer acknowledges through its own path
  if ok then acked = 1 end
end
return {acked, concat(out, '\n')}
