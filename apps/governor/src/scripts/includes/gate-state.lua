--[[
  gate-state: what the gates with shared state remember per symbol, one string at
  {gate prefix}{symbol}:

    {day}|{notional}|{times}

  day: the UTC day YYYY-MM-DD whose permitted notional is notional (shortest round-trip decimal);
  times: the newest permit times, newest first, each 13 digits of epoch milliseconds, at most
  keep = max(max per hour, max per 5 min, history floor) of them. The k-th newest time alone
  tells whether k permits fall in a window, so every gate reads one fixed position, and the
  string does not grow with the throughput. With a count limit above the floor, times no gate
  counts any more are dropped too. The state lives (EX) until the end of the UTC day or the
  longest window (an hour, or the cooldown when longer), whichever is later, plus 60 s.

  A symbol without a state starts from what builds before it kept (a sorted set of permit times
  in epoch ms at {legacy permits prefix}{symbol}, the day's notional at
  {legacy notional prefix}{symbol}:{day}), so an upgrade keeps the cooldowns, counts and the
  day's notional.

  States are read for all of a run's symbols in one MGET, parsed when an entry first needs one,
  and written once per changed symbol at the end: the run is atomic, so nobody sees a state in
  between.

  Defines gate_state(g), g = {now (epoch s, number), day, cooldown, max_hour, max_5m,
  history_floor, prefix, legacy_permits_prefix, legacy_notional_prefix}; returns a table of
  functions:
    prefetch(symbols)          one MGET of the states of these symbols
    of(sym)                    the symbol's state {day, total, times}; raises an error reply
                               for a key of another type or a malformed value
    within(st, n, seconds)     whether at least n of st's permits are less than seconds old
    admit(st, granted)         records a permit now; granted: its notional ('' unknown)
    save()                     SETs every changed state
]]
-- luacheck: ignore 211/gate_state (used by the scripts that include this file)
local function gate_state(g)
  local call, tonumber, unpack = redis.call, tonumber, unpack
  local format, sub, find, byte, concat = string.format, string.sub, string.find, string.byte, table.concat
  local W = 13
  local now, day = g.now, g.day
  local prefix, legacy_permits_prefix, legacy_notional_prefix = g.prefix, g.legacy_permits_prefix, g.legacy_notional_prefix

  local window = 3600
  if g.cooldown > window then window = g.cooldown end
  local floor_keep = g.history_floor
  local keep = floor_keep
  if g.max_hour > keep then keep = g.max_hour end
  if g.max_5m > keep then keep = g.max_5m end
  local now_ms = math.floor(now * 1000 + 0.5)
  local now_t = format('%013d', now_ms)
  -- permits at or before this count for no gate
  local stale_to = now_ms - window * 1000
  -- the state lives while a gate can need it: the longest window, and the day's notional until
  -- the UTC day is over
  local state_ttl = math.ceil(window)
  local day_left = 86400 - math.floor(now) % 86400
  if day_left > state_ttl then state_ttl = day_left end
  state_ttl = state_ttl + 60
  if state_ttl > 2147483647 then state_ttl = 2147483647 end
  state_ttl = format('%d', state_ttl)

  local function day_number(d)
    return tonumber(sub(d, 1, 4) .. sub(d, 6, 7) .. sub(d, 9, 10)) or 0
  end
  local today = day_number(day)

  -- symbol -> key, MGET value (false: none or another type), parsed state; changed states in order
  local keys, values, states, changed = {}, {}, {}, {}

  local function prefetch(symbols)
    local batch = {}
    for k = 1, #symbols do
      local key = prefix .. symbols[k]
      keys[symbols[k]] = key
      batch[k] = key
    end
    for a = 1, #batch, 500 do
      local b = a + 499
      if b > #batch then b = #batch end
      local got = call('MGET', unpack(batch, a, b))
      for k = a, b do values[symbols[k]] = got[k - a + 1] end
    end
  end

  local function legacy(key, sym)
    local parts = {}
    local z = call('ZREVRANGE', legacy_permits_prefix .. sym, '0', '-1', 'WITHSCORES')
    for k = 2, #z, 2 do
      local t = tonumber(z[k])
      if not t or t <= stale_to or #parts >= keep then break end
      parts[#parts + 1] = format('%013d', t)
    end
    local legacy_day = legacy_notional_prefix .. sym .. ':' .. day
    local total_s = call('GET', legacy_day) or '0'
    local total = tonumber(total_s)
    if not total then return error({ err = 'ERR day notional at ' .. legacy_day .. ' is not a number' }) end
    return { key = key, day = day, total = total, total_s = total_s, times = concat(parts) }
  end

  local function parse(key, value, sym)
    if not value then
      -- MGET reads a key of another type as nil: told apart from an absent key with EXISTS
      if call('EXISTS', key) == 1 then return error({ err = 'WRONGTYPE ' .. key .. ' is not a string' }) end
      return legacy(key, sym)
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

  local function of(sym)
    local st = states[sym]
    if not st then
      st = parse(keys[sym], values[sym], sym)
      states[sym] = st
    end
    return st
  end

  -- the n-th newest permit time is the one that decides
  local function within(st, n, seconds)
    local times = st.times
    return #times >= n * W and tonumber(sub(times, (n - 1) * W + 1, n * W)) > now_ms - seconds * 1000
  end

  -- the times with now added (sorted: a replica that read its clock earlier may decide later),
  -- cut to the newest `keep`; with a count limit above the floor also without the permits no
  -- gate counts any more
  local function add_now(times)
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

  local function admit(st, granted)
    st.times = add_now(st.times)
    if granted ~= '' then
      st.total = st.total + tonumber(granted)
      st.total_s = nil
    end
    if not st.changed then
      st.changed = true
      changed[#changed + 1] = st
    end
  end

  -- SET cannot meet a wrong type (it replaces the value), so this cannot fail for one state and
  -- not another
  local function save()
    for t = 1, #changed do
      local st = changed[t]
      local total_s = st.total_s or format('%.17g', st.total)
      call('SET', st.key, st.day .. '|' .. total_s .. '|' .. st.times, 'EX', state_ttl)
    end
  end

  return { prefetch = prefetch, of = of, within = within, admit = admit, save = save }
end
