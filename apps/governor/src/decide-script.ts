/**
 * The one atomic step per stream entry (docs/governor.md "Exactly one decision").
 *
 * Keys are built inside the script from the arguments (single Redis, no cluster):
 *   quantum:governor:entry:{entry_id}     "outcome|reason" for entries that claim no plan_id
 *                                          (dead letters, duplicates): replay detection
 *   quantum:governor:decision:{plan_id}   "entry_id|outcome|reason", EX decision TTL
 *   quantum:governor:permits:{symbol}     ZSET plan_id -> permit time (cooldown, hour, 5 min)
 *   quantum:governor:notional:{symbol}:{YYYY-MM-DD}  permitted notional of the UTC day
 *   quantum:permit:{plan_id}              the permit (SET NX EX)
 *   quantum:governor:block:{plan_id}      block record JSON (EX)
 *
 * ARGV:
 *  1 kind ('execute' | 'skip' | 'dead')   2 entry id   3 plan_id ('' unknown)   4 symbol ('' unknown)
 *  5 now (epoch s)   6 reason (skip/dead)   7 mode ('enforce' | 'dry_run')   8 close action ('1'|'0')
 *  9 kill_score   10 notional ('' unknown)   11 notional granted ('' unknown)   12 UTC day
 *  13 permit JSON   14 decision TTL   15 permit TTL   16 block TTL   17 events stream
 *  18 events maxlen   19 dlq stream   20 kill key   21 kill score critical   22 cooldown s
 *  23 max per hour   24 max per 5 min   25 max notional per trade   26 max notional per day
 *  27.. (dead only) the entry's original fields, flat
 *
 * Returns {outcome, reason}; outcome 'already' (reason = the earlier "outcome|reason") means
 * this very entry was decided before and nothing was written.
 */
export const DECIDE_LUA = `
local kind, eid, pid, sym, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local mode = ARGV[7]
local ttl = tonumber(ARGV[14])
local events, events_maxlen = ARGV[17], ARGV[18]
local nowN = tonumber(now)

local function event(outcome, reason)
  redis.call('XADD', events, 'MAXLEN', '~', events_maxlen, '*',
    'plan_id', pid, 'symbol', sym, 'outcome', outcome, 'reason', reason,
    'time', now, 'entry_id', eid, 'mode', mode)
end

local ekey = 'quantum:governor:entry:' .. eid
local prev = redis.call('GET', ekey)
if prev then return {'already', prev} end

local dkey = nil
if pid ~= '' then
  dkey = 'quantum:governor:decision:' .. pid
  local d = redis.call('GET', dkey)
  if d then
    local sep = string.find(d, '|', 1, true)
    if sep and string.sub(d, 1, sep - 1) == eid then return {'already', string.sub(d, sep + 1)} end
    if kind ~= 'dead' then
      redis.call('SET', ekey, 'duplicate|already_decided', 'EX', ttl)
      event('duplicate', 'already_decided')
      return {'duplicate', 'already_decided'}
    end
  end
end

if kind == 'dead' then
  local reason = ARGV[6]
  redis.call('SET', ekey, 'dead_letter|' .. reason, 'EX', ttl)
  local f = {}
  for i = 27, #ARGV do f[#f + 1] = ARGV[i] end
  f[#f + 1] = 'dlq_error'; f[#f + 1] = reason
  f[#f + 1] = 'dlq_entry_id'; f[#f + 1] = eid
  f[#f + 1] = 'dlq_time'; f[#f + 1] = now
  redis.call('XADD', ARGV[19], 'MAXLEN', '~', events_maxlen, '*', unpack(f))
  event('dead_letter', reason)
  return {'dead_letter', reason}
end

if kind == 'skip' then
  local reason = ARGV[6]
  redis.call('SET', dkey, eid .. '|skipped|' .. reason, 'EX', ttl)
  event('skipped', reason)
  return {'skipped', reason}
end

-- EXECUTE: the gates, in contract order
local pkey = 'quantum:permit:' .. pid
local close = ARGV[8] == '1'
local cooldown, max_hour, max_5m = tonumber(ARGV[22]), tonumber(ARGV[23]), tonumber(ARGV[24])
local max_trade, max_day = tonumber(ARGV[25]), tonumber(ARGV[26])
local notional = ARGV[10]
local zkey = 'quantum:governor:permits:' .. sym
local daykey = 'quantum:governor:notional:' .. sym .. ':' .. ARGV[12]
local window = 3600
if cooldown > window then window = cooldown end

local reason = ''
if redis.call('GET', ARGV[20]) == '1' then
  reason = 'kill_switch_active'
elseif not close then
  if tonumber(ARGV[9]) >= tonumber(ARGV[21]) then
    reason = 'kill_score_critical_non_close'
  elseif cooldown > 0 and redis.call('ZCOUNT', zkey, '(' .. (nowN - cooldown), '+inf') > 0 then
    reason = 'symbol_cooldown'
  elseif max_hour > 0 and redis.call('ZCOUNT', zkey, '(' .. (nowN - 3600), '+inf') >= max_hour then
    reason = 'hourly_limit_exceeded'
  elseif max_5m > 0 and redis.call('ZCOUNT', zkey, '(' .. (nowN - 300), '+inf') >= max_5m then
    reason = 'burst_limit_exceeded'
  elseif notional == '' then
    if max_trade > 0 or max_day > 0 then reason = 'notional_unknown' end
  else
    local n = tonumber(notional)
    if max_trade > 0 and n > max_trade then
      reason = 'notional_per_trade_exceeded'
    elseif max_day > 0 and (tonumber(redis.call('GET', daykey) or '0') + n) > max_day then
      reason = 'daily_limit_exceeded'
    end
  end
end

local permit = reason == '' or mode == 'dry_run'
if permit and not redis.call('SET', pkey, ARGV[13], 'NX', 'EX', ARGV[15]) then
  -- a permit for this plan_id exists (decision record expired or evicted): never overwrite it
  redis.call('SET', ekey, 'duplicate|permit_exists', 'EX', ttl)
  event('duplicate', 'permit_exists')
  return {'duplicate', 'permit_exists'}
end
if reason == '' then
  -- the gate state changes only for plans the gates admit (also in dry_run); entries older
  -- than every window are dropped here, so the set stays small
  redis.call('ZREMRANGEBYSCORE', zkey, '-inf', '(' .. (nowN - window))
  redis.call('ZADD', zkey, now, pid)
  redis.call('EXPIRE', zkey, window + 60)
  if ARGV[11] ~= '' then
    redis.call('INCRBYFLOAT', daykey, ARGV[11])
    redis.call('EXPIRE', daykey, 172800)
  end
end
if permit then
  local r = reason
  if r == '' then r = 'ok' end
  redis.call('SET', dkey, eid .. '|permitted|' .. r, 'EX', ttl)
  event('permitted', r)
  return {'permitted', r}
end
redis.call('SET', 'quantum:governor:block:' .. pid,
  '{"reason":"' .. reason .. '","timestamp":' .. now .. ',"symbol":"' .. sym .. '"}', 'EX', ARGV[16])
redis.call('SET', dkey, eid .. '|blocked|' .. reason, 'EX', ttl)
event('blocked', reason)
return {'blocked', reason}
`;
