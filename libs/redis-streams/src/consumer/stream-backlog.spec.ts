import { readBacklog, type StreamBacklog } from './stream-backlog';
import { compareIds } from './stream-group-consumer';

const base: StreamBacklog = { firstId: '100-0', entriesAdded: 50, length: 40, lastDeliveredId: '150-0', entriesRead: 30, lag: 20, pending: 2 };

describe('readBacklog', () => {
  it('a group within the stream: Redis\'s lag, nothing lost', () => {
    expect(readBacklog(base, compareIds)).toEqual({ trimmedUnread: 0, lag: 20 });
  });

  it('a group within the stream whose lag Redis cannot tell: unknown lag', () => {
    expect(readBacklog({ ...base, lag: undefined }, compareIds)).toEqual({ trimmedUnread: 0, lag: undefined });
  });

  it('a group behind the stream\'s head: every present entry unread, the rest were trimmed unread', () => {
    // 25,095 added since the group's 0 read, 10,000 left: 15,095 gone
    expect(readBacklog({ firstId: '2000-0', entriesAdded: 25_095, length: 10_000, lastDeliveredId: '1000-5', entriesRead: 0, lag: undefined, pending: 0 }, compareIds))
      .toEqual({ trimmedUnread: 15_095, lag: 10_000 });
  });

  it('behind the head with an unknown read counter: the lag is still the length, the loss unknown', () => {
    expect(readBacklog({ ...base, lastDeliveredId: '99-9', entriesRead: undefined }, compareIds)).toEqual({ trimmedUnread: 0, lag: 40 });
  });

  it('a group that never delivered anything (Redis reports no read counter) has read nothing', () => {
    expect(readBacklog({ ...base, lastDeliveredId: '0-0', entriesRead: undefined }, compareIds)).toEqual({ trimmedUnread: 10, lag: 40 });
    expect(readBacklog({ ...base, length: 0, firstId: '0-0', lastDeliveredId: '0-0', entriesRead: undefined }, compareIds)).toEqual({ trimmedUnread: 50, lag: 0 });
  });

  it('an emptied stream: what was added and not read is gone', () => {
    expect(readBacklog({ ...base, length: 0, firstId: '0-0', entriesAdded: 60, entriesRead: 45 }, compareIds)).toEqual({ trimmedUnread: 15, lag: 0 });
    expect(readBacklog({ ...base, length: 0, firstId: '0-0', entriesAdded: 60, entriesRead: 60 }, compareIds)).toEqual({ trimmedUnread: 0, lag: 0 });
  });

  it('ids compare as numbers, not text', () => {
    expect(readBacklog({ ...base, firstId: '1000-0', lastDeliveredId: '999-0' }, compareIds).lag).toBe(40);
    expect(readBacklog({ ...base, firstId: '999-0', lastDeliveredId: '1000-0' }, compareIds).lag).toBe(20);
    expect(compareIds('5-10', '5-9')).toBe(1);
    expect(compareIds('5-1', '5-1')).toBe(0);
  });
});
