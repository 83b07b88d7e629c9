import type { ScriptRunner } from '../scripts/script-runner';
import { backlogCall, parseBacklogReply, STREAM_BACKLOG_SCRIPT, type StreamBacklog } from './stream-backlog-protocol';

export type { StreamBacklog } from './stream-backlog-protocol';

/** Reads the group's backlog with the backlog script. Undefined: no such group. */
export async function readStreamBacklog(scripts: ScriptRunner, stream: string, group: string): Promise<StreamBacklog | undefined> {
  return parseBacklogReply(await scripts.run(STREAM_BACKLOG_SCRIPT, backlogCall(stream, group)));
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
