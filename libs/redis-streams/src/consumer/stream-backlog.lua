--[[
  stream-backlog: what a consumer group has not handled yet, as numbers only (XINFO STREAM also
  returns the stream's first and last entries whole, which can be of any size; they are dropped
  here). Read-only. Protocol: stream-backlog-protocol.ts.

  KEYS
    1  the stream
  ARGV
    1  the consumer group
  Reply
    {first entry id ('0-0' when empty), entries ever added, length, the group's last delivered
    id, its entries read ('' unknown), its lag ('' unknown), its pending count}, or false when
    the group does not exist
]]
local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then return flat[i + 1] end
  end
  return nil
end
local stream = redis.call('XINFO', 'STREAM', KEYS[1])
local groups = redis.call('XINFO', 'GROUPS', KEYS[1])
for _, g in ipairs(groups) do
  if field(g, 'name') == ARGV[1] then
    local read, lag = field(g, 'entries-read'), field(g, 'lag')
    return {
      field(stream, 'recorded-first-entry-id'), field(stream, 'entries-added'), field(stream, 'length'),
      field(g, 'last-delivered-id'), read and tostring(read) or '', lag and tostring(lag) or '', field(g, 'pending'),
    }
  end
end
return false
