/** One caller's turn: wait for `previousSent` before sending, call `sent()` once everything is sent. */
export interface SendTurn {
  readonly previousSent: Promise<void>;
  readonly sent: () => void;
}

/**
 * Turns to send on one connection, in the order they were taken. The consumer hands over the
 * next batch while one is being decided: its chunks must reach Redis after the previous batch's
 * (one connection: Redis runs them in that order) but need not wait for their replies, so Redis
 * has the next chunks queued instead of idling while the governor turns replies into decisions.
 */
export class SendTurns {
  private last: Promise<void> = Promise.resolve();

  /** Takes the next turn; call synchronously, before any await, to keep the callers' order. */
  take(): SendTurn {
    const previousSent = this.last;
    let sent!: () => void;
    this.last = new Promise<void>((resolve) => (sent = resolve));
    return { previousSent, sent };
  }
}
