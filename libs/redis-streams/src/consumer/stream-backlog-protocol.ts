import { luaScript } from '../scripts/lua-script';
import type { ScriptCall } from '../scripts/script-runner';
import backlogLua from './stream-backlog.lua';

/** The backlog script (stream-backlog.lua): KEYS and ARGV are built by {@link backlogCall}, its reply read by {@link parseBacklogReply}. */
export const STREAM_BACKLOG_SCRIPT = luaScript('stream-backlog', backlogLua);

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

export function backlogCall(stream: string, group: string): ScriptCall {
  return { keys: [stream], args: [group] };
}

/** The script's reply as numbers; undefined when the group does not exist. */
export function parseBacklogReply(reply: unknown): StreamBacklog | undefined {
  if (!Array.isArray(reply)) return undefined;
  const [firstId, added, length, lastDelivered, read, lag, pending] = reply.map(String) as string[];
  const optional = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    firstId: firstId ?? '0-0', entriesAdded: Number(added), length: Number(length), lastDeliveredId: lastDelivered ?? '0-0',
    entriesRead: optional(read), lag: optional(lag), pending: Number(pending),
  };
}
