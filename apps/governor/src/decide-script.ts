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
 * costs only its own redis.call()s.
 *
 * Keys are built inside the script from the arguments (single Redis, no cluster):
 *   quantum:governor:entry:{entry_id}     "outcome|reason" for entries that claim no plan_id
 *                                          (dead letters, duplicates): replay detection
 *   quantum:governor:decision:{plan_id}   "entry_id|outcome|reason", EX decision TTL
 *   quantum:governor:permits:{symbol}     ZSET plan_id -> permit time in epoch ms (cooldown, hour,
 *                                          5 min): the newest max(limits, {@link PERMIT_HISTORY_FLOOR})
 *   quantum:governor:notional:{symbol}:{YYYY-MM-DD}  permitted notional of the UTC day
 *   quantum:permit:{plan_id}              the permit (SET NX EX)
 *   quantum:governor:block:{plan_id}      block record JSON (EX)
 *
 * ARGV, header (once per chunk), see {@link HEADER_ARGS}:
 *  1 now (epoch s)   2 UTC day   3 mode ('enforce' | 'dry_run')   4 decision TTL   5 permit TTL
 *  6 block TTL   7 events stream   8 events maxlen   9 dlq stream   10 kill key
 *  11 kill score critical   12 cooldown s   13 max per hour   14 max per 5 min
 *  15 max notional per trade   16 max notional per day   17 stream to XACK ('' = do not ack)
 *  18 its consumer group
 * then one record per entry, see {@link ENTRY_ARGS}:
 *  kind ('execute' | 'skip' | 'dead'), entry id, plan_id ('' unknown), symbol ('' unknown),
 *  reason (skip/dead, else ''), close action ('1'|'0'), kill_score, notional ('' unknown),
 *  notional granted ('' unknown), permit JSON (execute, else ''), n = number of original fields
 *  (dead only, else 0), followed by those n original fields, flat.
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
export const HEADER_ARGS = 18;

/**
 * Permit times kept per symbol even when the count limits are lower or off: raising
 * `GOV_MAX_EXEC_PER_HOUR`/`_PER_5MIN` up to this value still counts the permits granted before
 * the change.
 */
export const PERMIT_HISTORY_FLOOR = 32;
export const ENTRY_ARGS = 11;

export const DECIDE_LUA = `
local now, day, mode = ARGV[1], ARGV[2], ARGV[3]
local nowN = tonumber(now)
local ttl, permit_ttl, block_ttl = ARGV[4], ARGV[5], ARGV[6]
local events, events_maxlen, dlq = ARGV[7], ARGV[8], ARGV[9]
local kill_key, kill_crit = ARGV[10], tonumber(ARGV[11])
local cooldown, max_hour, max_5m = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local max_trade, max_day = tonumber(ARGV[15]), tonumber(ARGV[16])
local ack_stream, ack_group = ARGV[17], ARGV[18]
-- Gate state: a sorted set per symbol, plan_id -> permit time. The gates need the newest permit
-- (cooldown) and whether the newest max_hour (max_5m) permits fall in the hour (5 min): the
-- newest max(max_hour, max_5m) permits answer both exactly, so after each chunk the set is cut
-- to that many (at least PERMIT_HISTORY_FLOOR): its size no longer grows with the throughput.
local window = 3600
if cooldown > window then window = cooldown end
local floor_keep = ${PERMIT_HISTORY_FLOOR}
local keep = floor_keep
if max_hour > keep then keep = max_hour end
if max_5m > keep then keep = max_5m end
-- Permit times are whole milliseconds: Redis keeps an integral score as an integer in its
-- listpack and compares it without parsing a decimal string (ZADD ~3x cheaper). %.17g prints
-- them exactly (tostring would round to 14 digits).
local function num(x) return string.format('%.17g', x) end
local now_ms = math.floor(nowN * 1000 + 0.5)
local score = num(now_ms)
-- exclusive lower bounds: a permit exactly the cooldown (hour, 5 min) ago no longer counts
local cooldown_from = '(' .. num(now_ms - cooldown * 1000)
local hour_from, burst_from = '(' .. num(now_ms - 3600000), '(' .. num(now_ms - 300000)
-- permits at or before this count for no gate
local stale_to = num(now_ms - window * 1000)
local set_ttl = math.ceil(window) + 60
-- sets that got a permit in this chunk: cut and given their TTL once, after the chunk
local touched, touched_set = {}, {}

-- The kill switch is read once per chunk: the chunk is atomic, so it cannot change in between.
local killed = nil
local eid, pid, sym = '', '', ''

local function event(outcome, reason)
  redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
    'plan_id', pid, 'symbol', sym, 'outcome', outcome, 'reason', reason,
    'time', now, 'entry_id', eid, 'mode', mode)
end

-- Decides the entry whose record starts at ARGV[i]; returns outcome, reason.
local function decide(i)
  local kind = ARGV[i]
  local ekey = 'quantum:governor:entry:' .. eid
  local dkey, prev, d = nil, nil, nil
  local daykey, day_total = nil, nil
  -- entry record and decision record (and an EXECUTE plan's day notional) in one call
  if kind == 'execute' then
    dkey = 'quantum:governor:decision:' .. pid
    daykey = 'quantum:governor:notional:' .. sym .. ':' .. day
    local r = redis.call('MGET', ekey, dkey, daykey)
    prev, d, day_total = r[1], r[2], r[3]
  elseif pid ~= '' then
    dkey = 'quantum:governor:decision:' .. pid
    local both = redis.call('MGET', ekey, dkey)
    prev, d = both[1], both[2]
  else
    prev = redis.call('GET', ekey)
  end
  -- replay of an entry that owns no plan decision (dead letter, duplicate)
  if prev then return 'already', prev end

  if pid ~= '' then
    if d then
      local sep = string.find(d, '|', 1, true)
      -- replay of the entry that owns the plan decision
      if sep and string.sub(d, 1, sep - 1) == eid then return 'already', string.sub(d, sep + 1) end
      if kind ~= 'dead' then
        redis.call('SET', ekey, 'duplicate|already_decided', 'EX', ttl)
        event('duplicate', 'already_decided')
        return 'duplicate', 'already_decided'
      end
    end
  end

  if kind == 'dead' then
    local reason = ARGV[i + 4]
    redis.call('SET', ekey, 'dead_letter|' .. reason, 'EX', ttl)
    local n = tonumber(ARGV[i + 10])
    local f = {}
    for k = 1, n do f[k] = ARGV[i + 10 + k] end
    f[n + 1] = 'dlq_error'; f[n + 2] = reason
    f[n + 3] = 'dlq_entry_id'; f[n + 4] = eid
    f[n + 5] = 'dlq_time'; f[n + 6] = now
    redis.call('XADD', dlq, 'MAXLEN', '~', events_maxlen, '*', unpack(f))
    event('dead_letter', reason)
    return 'dead_letter', reason
  end

  if kind == 'skip' then
    -- a skipped plan claims its plan_id (a later EXECUTE with it is a duplicate)
    local reason = ARGV[i + 4]
    redis.call('SET', dkey, eid .. '|skipped|' .. reason, 'EX', ttl)
    event('skipped', reason)
    return 'skipped', reason
  end

  -- EXECUTE: the gates, in contract order; the first that says no gives the reason
  local close = ARGV[i + 5] == '1'
  local notional, granted = ARGV[i + 7], ARGV[i + 8]
  local zkey = 'quantum:governor:permits:' .. sym
  -- The day key is checked before anything is written (INCRBYFLOAT after the permit would fail
  -- on it too late): MGET reads a key of another type as nil, told apart from an absent key
  -- (rare: a symbol's first permit of the day) with EXISTS.
  if max_day > 0 or granted ~= '' then
    if not day_total then
      if redis.call('EXISTS', daykey) == 1 then return error({ err = 'WRONGTYPE ' .. daykey .. ' is not a string' }) end
    elseif not tonumber(day_total) then
      return error({ err = 'ERR day notional at ' .. daykey .. ' is not a number' })
    end
  end
  if killed == nil then killed = redis.call('GET', kill_key) == '1' end

  local reason = ''
  if killed then
    reason = 'kill_switch_active'
  elseif not close then
    if tonumber(ARGV[i + 6]) >= kill_crit then
      reason = 'kill_score_critical_non_close'
    elseif cooldown > 0 and redis.call('ZCOUNT', zkey, cooldown_from, '+inf') > 0 then
      reason = 'symbol_cooldown'
    elseif max_hour > 0 and redis.call('ZCOUNT', zkey, hour_from, '+inf') >= max_hour then
      reason = 'hourly_limit_exceeded'
    elseif max_5m > 0 and redis.call('ZCOUNT', zkey, burst_from, '+inf') >= max_5m then
      reason = 'burst_limit_exceeded'
    elseif notional == '' then
      if max_trade > 0 or max_day > 0 then reason = 'notional_unknown' end
    else
      local n = tonumber(notional)
      if max_trade > 0 and n > max_trade then
        reason = 'notional_per_trade_exceeded'
      elseif max_day > 0 then
        if tonumber(day_total or '0') + n > max_day then reason = 'daily_limit_exceeded' end
      end
    end
  end

  local permit = reason == '' or mode == 'dry_run'
  -- the gate state changes only for plans the gates admit (also in dry_run); added first, so a
  -- set of another type fails the entry before anything else is written
  if reason == '' then redis.call('ZADD', zkey, score, pid) end
  if permit and not redis.call('SET', 'quantum:permit:' .. pid, ARGV[i + 9], 'NX', 'EX', permit_ttl) then
    -- a permit for this plan_id exists (decision record expired or evicted): never overwrite it
    if reason == '' then redis.call('ZREM', zkey, pid) end
    redis.call('SET', ekey, 'duplicate|permit_exists', 'EX', ttl)
    event('duplicate', 'permit_exists')
    return 'duplicate', 'permit_exists'
  end
  if reason == '' then
    if not touched_set[zkey] then
      touched_set[zkey] = true
      touched[#touched + 1] = zkey
    end
    if granted ~= '' then
      redis.call('INCRBYFLOAT', daykey, granted)
      -- the day key gets its TTL when this script creates it; an existing one already has it
      if not day_total then
        redis.call('EXPIRE', daykey, 172800)
      end
    end
  end
  if permit then
    local r = reason
    if r == '' then r = 'ok' end
    redis.call('SET', dkey, eid .. '|permitted|' .. r, 'EX', ttl)
    event('permitted', r)
    return 'permitted', r
  end
  redis.call('SET', 'quantum:governor:block:' .. pid,
    '{"reason":"' .. reason .. '","timestamp":' .. now .. ',"symbol":"' .. sym .. '"}', 'EX', block_ttl)
  redis.call('SET', dkey, eid .. '|blocked|' .. reason, 'EX', ttl)
  event('blocked', reason)
  return 'blocked', reason
end

local function message(e)
  if type(e) == 'table' then return e.err or 'error' end
  return tostring(e)
end

local out = {}
local decided = {}
local i = 19
while i <= #ARGV do
  eid, pid, sym = ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  -- pcall: an error (e.g. WRONGTYPE on this plan's gate key) fails this entry only
  local ok, outcome, reason = pcall(decide, i)
  if ok then
    decided[#decided + 1] = eid
    if outcome == 'already' then reason = string.gsub(reason, '\\n', ' ') end
  else
    outcome, reason = 'error', string.gsub(message(outcome), '\\n', ' ')
  end
  out[#out + 1] = outcome
  out[#out + 1] = reason
  i = i + 11 + tonumber(ARGV[i + 10])
end

-- Cut the touched sets to the newest \`keep\` permits (and, when a count limit above the floor
-- keeps more, drop permits no gate counts). pcall: the ZADD above succeeded, so these cannot
-- meet a wrong type; still, an error here must not stop the acknowledgement below.
for t = 1, #touched do
  redis.pcall('ZREMRANGEBYRANK', touched[t], 0, -(keep + 1))
  if keep > floor_keep then redis.pcall('ZREMRANGEBYSCORE', touched[t], '-inf', stale_to) end
  redis.pcall('EXPIRE', touched[t], set_ttl)
end

-- Acknowledge what was decided, in the same atomic step (no redelivery window). Slices keep
-- unpack() far below Lua's stack limit.
local acked = 0
if ack_stream ~= '' and #decided > 0 then
  local ok = true
  for s = 1, #decided, 500 do
    local e = s + 499
    if e > #decided then e = #decided end
    ok = pcall(redis.call, 'XACK', ack_stream, ack_group, unpack(decided, s, e)) and ok
  end
  -- not acked (e.g. NOGROUP): the consumer acknowledges through its own path
  if ok then acked = 1 end
end
return {acked, table.concat(out, '\\n')}
`;
