import { createHash } from 'node:crypto';
import type Redis from 'ioredis';

/**
 * One read of what the consumer group has not handled yet, as numbers only (XINFO STREAM also
 * returns the first and last entries whole, which can be of any size; the script drops them).
 *
 * KEYS: 1 the stream. ARGV: 1 the group.
 * Reply: {first entry id ('0-0' when empty), entries ever added, length, the group's last
 * delivered id, its entries read ('' unknown), its lag ('' unknown), its pending count}, or
 * false when the group does not exist. Read-only.
 */
export const STREAM_BACKLOG_LUA = `
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
`;

export interface StreamBacklog {
  readonly firstId: string;
  readonly entriesAdded: number;
  readonly length: number;
  readonly lastDeliveredId: string;
  /** Undefined when Redis cannot tell. */
  readonly entriesRead: number | undefined;
  readonly lag: number | undefined;
  readonly pending: number;
}

const SHA = createHash('sha1').update(STREAM_BACKLOG_LUA).digest('hex');

/** Runs the backlog script (EVALSHA; SCRIPT LOAD and again after NOSCRIPT). Undefined: no such group. */
export async function readStreamBacklog(redis: Redis, stream: string, group: string): Promise<StreamBacklog | undefined> {
  let reply: unknown;
  try {
    reply = await redis.evalsha(SHA, 1, stream, group);
  } catch (error) {
    if (!/NOSCRIPT/.test(error instanceof Error ? error.message : String(error))) throw error;
    await redis.script('LOAD', STREAM_BACKLOG_LUA);
    reply = await redis.evalsha(SHA, 1, stream, group);
  }
  if (!Array.isArray(reply)) return undefined;
  const [firstId, added, length, lastDelivered, read, lag, pending] = reply.map(String) as string[];
  const optional = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    firstId: firstId ?? '0-0', entriesAdded: Number(added), length: Number(length), lastDeliveredId: lastDelivered ?? '0-0',
    entriesRead: optional(read), lag: optional(lag), pending: Number(pending),
  };
}

/** Entries the group never read that are gone from the stream, and the true lag. Pure. */
export interface BacklogReading {
  /** Entries trimmed (or deleted) before the group read them; 0 when none or unknown. */
  readonly trimmedUnread: number;
  /** Entries in the stream not yet delivered to the group; undefined when Redis cannot tell. */
  readonly lag: number | undefined;
}

/**
 * When the group's last delivered id is before the stream's first entry, every entry in the
 * stream is unread (lag = length) and the entries added but neither read nor present were removed
 * before anyone read them. Otherwise Redis's own lag is right, when it has one.
 */
export function readBacklog(b: StreamBacklog, compareIds: (a: string, b: string) => number): BacklogReading {
  const behindHead = b.length === 0 ? b.entriesAdded > (b.entriesRead ?? (b.lastDeliveredId === '0-0' ? 0 : b.entriesAdded)) : compareIds(b.lastDeliveredId, b.firstId) < 0;
  if (!behindHead) return { trimmedUnread: 0, lag: b.length === 0 ? 0 : b.lag };
  // A group that never delivered anything (created at `$` on an empty stream, or at `0`) has
  // read nothing, though Redis reports its read counter as unknown.
  const read = b.entriesRead ?? (b.lastDeliveredId === '0-0' ? 0 : undefined);
  const gone = read === undefined ? 0 : Math.max(0, b.entriesAdded - read - b.length);
  return { trimmedUnread: gone, lag: b.length };
}
