/**
 * The one atomic step per chunk of stream entries (docs/governor.md "Exactly one decision").
 *
 * One EVALSHA decides a whole chunk of entries, in stream order, and then acknowledges (XACK)
 * every entry it decided. A chunk is one atomic step, which is stronger than one step per entry:
 * no other client (another replica, the apply layer) sees a state between two plans of a chunk,
 * and the decision and its acknowledgement can no longer be separated by a crash.
 *
 * Why one script per chunk: the per-call cost of EVALSHA (argument table, script lookup, reply,
 * client round trip bookkeeping) was most of the Redis time per plan; inside one call a plan
 * costs only its own redis.call()s, so the script keeps those few: three per permit (claim the
 * plan_id, the permit, the audit event), plus per chunk one MGET of the gate states, the kill
 * switch, one SET per changed gate state, one XTRIM of the audit stream and the XACK.
 *
 * Keys are built inside the script from the arguments (single Redis, no cluster):
 *   quantum:governor:entry:{entry_id}     "outcome|reason" for entries that claim no plan_id
 *                                          (dead letters, already_decided duplicates): replay
 *                                          detection
 *   quantum:governor:decision:{plan_id}   "entry_id|outcome|reason", EX decision TTL, written
 *                                          with SET NX GET: the dedupe read and the claim in one
 *                                          call, after the gates and before any other write
 *   quantum:governor:gate:{symbol}        the symbol's gate state, one string (see GATE_KEY_PREFIX)
 *   quantum:permit:{plan_id}              the permit (SET NX EX)
 *   quantum:governor:block:{plan_id}      block record JSON (EX)
 *
 * ARGV, header (once per chunk), see {@link HEADER_ARGS}:
 *  1 now (epoch s)   2 UTC day   3 mode ('enforce' | 'dry_run')   4 decision TTL   5 permit TTL
 *  6 block TTL   7 events stream   8 events maxlen   9 dlq stream   10 kill key   11 cooldown s
 *  12 max per hour   13 max per 5 min   14 max notional per day   15 stream to XACK ('' = do not
 *  ack)   16 its consumer group
 * then one record per entry, its length by kind ({@link RECORD_ARGS}):
 *  'execute', entry id, plan_id, symbol, verdict of the gates that need no state (static-gates.ts:
 *    '', 'exempt' (gates 3-6 do not apply), 'notional_unknown_allowed', or the reason of gate 3 or
 *    of gate 6's plan-only checks), notional ('' unknown), notional granted ('' unknown), permit
 *    JSON
 *  'skip', entry id, plan_id, symbol, reason
 *  'dead', entry id, plan_id ('' unknown), symbol ('' unknown), reason, n, then the n original
 *    fields, flat
 * The gates that need no state are evaluated by the governor (plan and settings only); the script
 * evaluates the ones that need the shared state, in contract order around them.
 *
 * Returns {acked, "outcome1\nreason1\noutcome2\nreason2..."}: acked is 1 when the XACK of the
 * decided entries ran; the outcomes and reasons come packed in one string (two reply elements per
 * chunk instead of two per entry: less for Redis to write and for the governor to decode).
 * Outcome 'already' (reason = the earlier "outcome|reason") means this very entry was decided
 * before and nothing was written; 'error' (reason = the Redis error) means that entry's step
 * failed, is not acknowledged and stays pending (its neighbours are decided: a broken key of one
 * plan does not hold back the chunk). The reasons of these two can hold any text, so a newline in
 * them is replaced by a space; every other reason is one of the governor's own words.
 */
export const HEADER_ARGS = 16;

/** Script arguments of one entry record, by kind (a dead entry adds its original fields). */
export const RECORD_ARGS = { execute: 8, skip: 5, dead: 6 } as const;

/**
 * The gate state of a symbol: `{day}|{notional}|{times}`, one string, EX until the end of the
 * UTC day or the longest window (whichever is later), plus 60 s. `day` is the UTC day
 * `YYYY-MM-DD` whose permitted notional `notional` is (shortest round-trip decimal); `times` are
 * the newest permit times, newest first, each 13 digits of epoch milliseconds, at most
 * max(`GOV_MAX_EXEC_PER_HOUR`, `GOV_MAX_EXEC_PER_5MIN`, {@link PERMIT_HISTORY_FLOOR}) of them:
 * the k-th newest time alone tells whether k permits fall in a window, so every gate reads one
 * fixed position. Read for all the chunk's EXECUTE symbols in one MGET before the first entry,
 * parsed when an entry first needs it, written once per symbol and chunk.
 */
export const GATE_KEY_PREFIX = 'quantum:governor:gate:';

/**
 * Gate state keys of builds before {@link GATE_KEY_PREFIX} (a sorted set of permit times in
 * epoch ms, a day notional string per day): read once, when a symbol has no gate state yet, so
 * an upgrade keeps the cooldowns, counts and the day's notional.
 */
export const LEGACY_PERMITS_PREFIX = 'quantum:governor:permits:';
export const LEGACY_NOTIONAL_PREFIX = 'quantum:governor:notional:';

/**
 * Permit times kept per symbol even when the count limits are lower or off: raising
 * `GOV_MAX_EXEC_PER_HOUR`/`_PER_5MIN` up to this value still counts the permits granted before
 * the change.
 */
export const PERMIT_HISTORY_FLOOR = 32;

export const DECIDE_LUA = `
-- library functions as locals: one lookup per script instead of two per use
local call, tonumber, pcall, unpack = redis.call, tonumber, pcall, unpack
local format, sub, find, byte, gsub, concat = string.format, string.sub, string.find, string.byte, string.gsub, table.concat
local now, day, mode = ARGV[1], ARGV[2], ARGV[3]
local nowN = tonumber(now)
local ttl, permit_ttl, block_ttl = ARGV[4], ARGV[5], ARGV[6]
local events, events_maxlen, dlq = ARGV[7], ARGV[8], ARGV[9]
local kill_key = ARGV[10]
local cooldown, max_hour, max_5m = tonumber(ARGV[11]), tonumber(ARGV[12]), tonumber(ARGV[13])
local max_day = tonumber(ARGV[14])
local ack_stream, ack_group = ARGV[15], ARGV[16]

-- Gate state (GATE_KEY_PREFIX): the newest \`keep\` permit times, fixed width, newest first. The
-- gates need the newest permit (cooldown) and whether the newest max_hour (max_5m) permits fall
-- in the hour (5 min): the newest max(max_hour, max_5m) answer both exactly, so the string is cut
-- to that many (at least PERMIT_HISTORY_FLOOR): its size does not grow with the throughput.
local W = 13
local window = 3600
if cooldown > window then window = cooldown end
local floor_keep = ${PERMIT_HISTORY_FLOOR}
local keep = floor_keep
if max_hour > keep then keep = max_hour end
if max_5m > keep then keep = max_5m end
local now_ms = math.floor(nowN * 1000 + 0.5)
local now_t = format('%013d', now_ms)
-- exclusive lower bounds: a permit exactly the cooldown (hour, 5 min) ago no longer counts
local cooldown_from = now_ms - cooldown * 1000
local hour_from, burst_from = now_ms - 3600000, now_ms - 300000
-- permits at or before this count for no gate
local stale_to = now_ms - window * 1000
-- the state lives while a gate can need it: the longest window, and the day's notional until
-- the UTC day is over
local state_ttl = math.ceil(window)
local day_left = 86400 - math.floor(nowN) % 86400
if day_left > state_ttl then state_ttl = day_left end
state_ttl = state_ttl + 60
if state_ttl > 2147483647 then state_ttl = 2147483647 end
state_ttl = format('%d', state_ttl)

local function day_number(d)
  return tonumber(sub(d, 1, 4) .. sub(d, 6, 7) .. sub(d, 9, 10)) or 0
end
local today = day_number(day)

-- Gate state of each symbol this chunk read (symbol -> state), and the ones it changed, written
-- once per symbol after the chunk: the chunk is atomic, so nobody sees the state in between.
local states, changed = {}, {}

local function legacy_state(key, sym)
  local parts = {}
  local z = call('ZREVRANGE', '${LEGACY_PERMITS_PREFIX}' .. sym, '0', '-1', 'WITHSCORES')
  for k = 2, #z, 2 do
    local t = tonumber(z[k])
    if not t or t <= stale_to or #parts >= keep then break end
    parts[#parts + 1] = format('%013d', t)
  end
  local legacy_day = '${LEGACY_NOTIONAL_PREFIX}' .. sym .. ':' .. day
  local total_s = call('GET', legacy_day) or '0'
  local total = tonumber(total_s)
  if not total then return error({ err = 'ERR day notional at ' .. legacy_day .. ' is not a number' }) end
  return { key = key, day = day, total = total, total_s = total_s, times = concat(parts) }
end

local function read_state(key, value, sym)
  if not value then
    -- MGET reads a key of another type as nil: told apart from an absent key with EXISTS
    if call('EXISTS', key) == 1 then return error({ err = 'WRONGTYPE ' .. key .. ' is not a string' }) end
    return legacy_state(key, sym)
  end
  local sep = find(value, '|', 12, true)
  local total_s = sep and sub(value, 12, sep - 1)
  local total = total_s and tonumber(total_s)
  if not total or byte(value, 11) ~= 124 or (#value - sep) % W ~= 0 then
    return error({ err = 'ERR gate state at ' .. key .. ' is malformed' })
  end
  local st = { key = key, day = sub(value, 1, 10), total = total, total_s = total_s, times = sub(value, sep + 1) }
  -- a new UTC day starts from 0; a state already of a later day (a replica whose clock read
  -- came after midnight) keeps it, so this plan counts toward that later day
  if st.day ~= day and day_number(st.day) < today then st.day, st.total, st.total_s = day, 0, '0' end
  return st
end

-- whether at least n permit times (newest first) are after \`from\`: the n-th newest is
local function nth_after(times, n, from)
  return #times >= n * W and tonumber(sub(times, (n - 1) * W + 1, n * W)) > from
end

-- the state's times with now added (sorted: a replica that read its clock earlier may decide
-- later), cut to the newest \`keep\`; with a count limit above the floor also without the
-- permits no gate counts any more
local function add_time(times)
  if times == '' or tonumber(sub(times, 1, W)) <= now_ms then
    times = now_t .. times
  else
    local at = W + 1
    while at <= #times and tonumber(sub(times, at, at + W - 1)) > now_ms do at = at + W end
    times = sub(times, 1, at - 1) .. now_t .. sub(times, at)
  end
  if #times > keep * W then times = sub(times, 1, keep * W) end
  if keep > floor_keep then
    local n = #times / W
    while n > 0 and tonumber(sub(times, (n - 1) * W + 1, n * W)) <= stale_to do n = n - 1 end
    times = sub(times, 1, n * W)
  end
  return times
end

-- The kill switch is read once per chunk: the chunk is atomic, so it cannot change in between.
local killed = nil
local eid, pid, sym = '', '', ''

local events_added = false
local function event(outcome, reason)
  events_added = true
  call('XADD', events, '*',
    'plan_id', pid, 'symbol', sym, 'outcome', outcome, 'reason', reason,
    'time', now, 'entry_id', eid, 'mode', mode)
end

local function record_end(i, kind)
  if kind == 'execute' then return i + ${RECORD_ARGS.execute} end
  if kind == 'skip' then return i + ${RECORD_ARGS.skip} end
  return i + ${RECORD_ARGS.dead} + tonumber(ARGV[i + 5])
end

-- The gate state of every symbol the chunk's EXECUTE entries name, in one MGET before the first
-- entry (one call per chunk instead of one per symbol); parsed when an entry first needs it.
local gate_keys, gate_values = {}, {}
do
  local syms, keys = {}, {}
  local j = ${HEADER_ARGS + 1}
  while j <= #ARGV do
    local kind = ARGV[j]
    if kind == 'execute' then
      local s = ARGV[j + 3]
      if not gate_keys[s] then
        local key = '${GATE_KEY_PREFIX}' .. s
        gate_keys[s] = key
        syms[#syms + 1] = s
        keys[#keys + 1] = key
      end
    end
    j = record_end(j, kind)
  end
  for a = 1, #keys, 500 do
    local b = a + 499
    if b > #keys then b = #keys end
    local values = call('MGET', unpack(keys, a, b))
    for k = a, b do gate_values[syms[k]] = values[k - a + 1] end
  end
end

-- The entry record's key, built only where one is read or written: a permit, a block or a skip
-- that claims its plan_id never needs it.
local function entry_key()
  return 'quantum:governor:entry:' .. eid
end

-- The plan's decision record, written only if absent (SET NX GET: the dedupe read and the write
-- in one call). Returns nothing when this entry claimed the plan_id; otherwise the outcome and
-- reason of the entry: 'already' when this very entry was decided before, else 'duplicate'.
local function claim(dkey, value)
  local d = call('SET', dkey, value, 'NX', 'GET', 'EX', ttl)
  if not d then return nil end
  local sep = find(d, '|', 1, true)
  -- replay of the entry that owns the plan decision
  if sep and sub(d, 1, sep - 1) == eid then return 'already', sub(d, sep + 1) end
  -- replay of an entry decided as a duplicate
  local ekey = entry_key()
  local prev = call('GET', ekey)
  if prev then return 'already', prev end
  call('SET', ekey, 'duplicate|already_decided', 'EX', ttl)
  event('duplicate', 'already_decided')
  return 'duplicate', 'already_decided'
end

-- Decides the entry whose record starts at ARGV[i]; returns outcome, reason.
local function decide(i, kind)
  if kind == 'dead' then
    local ekey = entry_key()
    -- a dead letter claims no plan_id (a corrected plan may be sent again with it): replay is
    -- told by its entry record, or by the decision record of the entry itself
    local prev, d
    if pid ~= '' then
      local both = call('MGET', ekey, 'quantum:governor:decision:' .. pid)
      prev, d = both[1], both[2]
    else
      prev = call('GET', ekey)
    end
    if prev then return 'already', prev end
    if d then
      local sep = find(d, '|', 1, true)
      if sep and sub(d, 1, sep - 1) == eid then return 'already', sub(d, sep + 1) end
    end
    local reason = ARGV[i + 4]
    local n = tonumber(ARGV[i + 5])
    local f = {}
    for j = 1, n do f[j] = ARGV[i + 5 + j] end
    f[n + 1] = 'dlq_error'; f[n + 2] = reason
    f[n + 3] = 'dlq_entry_id'; f[n + 4] = eid
    f[n + 5] = 'dlq_time'; f[n + 6] = now
    call('XADD', dlq, 'MAXLEN', '~', events_maxlen, '*', unpack(f))
    event('dead_letter', reason)
    -- the entry record last: a step that fails before it leaves no record, so the retry
    -- writes the copy and the event instead of reading the entry as decided
    call('SET', ekey, 'dead_letter|' .. reason, 'EX', ttl)
    return 'dead_letter', reason
  end

  local dkey = 'quantum:governor:decision:' .. pid
  if kind == 'skip' then
    -- a skipped plan claims its plan_id (a later EXECUTE with it is a duplicate)
    local reason = ARGV[i + 4]
    local o, r = claim(dkey, eid .. '|skipped|' .. reason)
    if o then return o, r end
    event('skipped', reason)
    return 'skipped', reason
  end

  -- EXECUTE: the gates, in contract order; the first that says no gives the reason. The state is
  -- read (and checked) before anything is written; it changes only once the plan is claimed.
  local verdict, notional, granted = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6]
  local st = states[sym]
  if not st then
    st = read_state(gate_keys[sym], gate_values[sym], sym)
    states[sym] = st
  end
  if killed == nil then killed = call('GET', kill_key) == '1' end

  local times = st.times
  local reason = ''
  if killed then
    reason = 'kill_switch_active'
  elseif verdict ~= 'exempt' then
    if verdict == 'kill_score_critical_non_close' then
      reason = verdict
    elseif cooldown > 0 and nth_after(times, 1, cooldown_from) then
      reason = 'symbol_cooldown'
    elseif max_hour > 0 and nth_after(times, max_hour, hour_from) then
      reason = 'hourly_limit_exceeded'
    elseif max_5m > 0 and nth_after(times, max_5m, burst_from) then
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
  local o, why = claim(dkey, eid .. '|' .. outcome .. '|' .. r)
  if o then return o, why end
  if permit and not call('SET', 'quantum:permit:' .. pid, ARGV[i + 7], 'NX', 'EX', permit_ttl) then
    -- a permit for this plan_id exists although no decision was remembered (expired or
    -- evicted): never overwrite it. The claim just written said otherwise and is corrected, so
    -- this entry owns the plan_id as a duplicate. Builds before the claim kept such a duplicate
    -- in the entry record only: a replay of one of theirs is told by that record.
    local prev = call('GET', entry_key())
    call('SET', dkey, eid .. '|duplicate|permit_exists', 'EX', ttl)
    if prev then return 'already', prev end
    event('duplicate', 'permit_exists')
    return 'duplicate', 'permit_exists'
  end
  -- the gate state changes only for plans the gates admit (also in dry_run)
  if reason == '' then
    st.times = add_time(times)
    if granted ~= '' then
      st.total = st.total + tonumber(granted)
      st.total_s = nil
    end
    if not st.changed then
      st.changed = true
      changed[#changed + 1] = st
    end
  end
  if permit then
    event('permitted', r)
    return 'permitted', r
  end
  call('SET', 'quantum:governor:block:' .. pid,
    '{"reason":"' .. reason .. '","timestamp":' .. now .. ',"symbol":"' .. sym .. '"}', 'EX', block_ttl)
  event('blocked', reason)
  return 'blocked', reason
end

local function message(e)
  if type(e) == 'table' then return e.err or 'error' end
  return tostring(e)
end

local out = {}
local decided = {}
local i = ${HEADER_ARGS + 1}
while i <= #ARGV do
  local kind = ARGV[i]
  eid, pid, sym = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  -- pcall: an error (e.g. WRONGTYPE on this plan's gate key) fails this entry only
  local ok, outcome, reason = pcall(decide, i, kind)
  if ok then
    decided[#decided + 1] = eid
    if outcome == 'already' then reason = gsub(reason, '\\n', ' ') end
  else
    outcome, reason = 'error', gsub(message(outcome), '\\n', ' ')
  end
  out[#out + 1] = outcome
  out[#out + 1] = reason
  i = record_end(i, kind)
end

-- The changed gate states, once per symbol. SET cannot meet a wrong type (it replaces the value),
-- so this cannot fail for one state and not another.
for t = 1, #changed do
  local st = changed[t]
  local total_s = st.total_s or format('%.17g', st.total)
  call('SET', st.key, st.day .. '|' .. total_s .. '|' .. st.times, 'EX', state_ttl)
end

-- The audit stream trimmed once per chunk rather than in each XADD: the same bound (MAXLEN ~),
-- in the same atomic step, so nobody sees it longer, for one call instead of three arguments
-- and a trim check per event.
if events_added then call('XTRIM', events, 'MAXLEN', '~', events_maxlen) end

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
return {acked, concat(out, '\\n')}
`;
