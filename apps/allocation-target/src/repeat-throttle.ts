/**
 * Decides whether a failure seen again deserves another log line. The loop is retried every
 * interval while Redis fails, which would otherwise write one error line per interval for the
 * whole outage (four a second at LOOP_INTERVAL_SEC=0.25). A message different from the last one
 * is always logged; the same message again at most once per `everyMs`.
 */
export class RepeatThrottle {
  private last: string | undefined;
  private loggedAt = 0;
  private notLogged = 0;

  constructor(
    private readonly everyMs = 30_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** `undefined`: stay silent; else log, saying how many repeats went unlogged since the last line. */
  admit(message: string): number | undefined {
    const now = this.clock();
    if (message === this.last && now - this.loggedAt < this.everyMs) {
      this.notLogged++;
      return undefined;
    }
    const skipped = this.notLogged;
    this.last = message;
    this.loggedAt = now;
    this.notLogged = 0;
    return skipped;
  }

  /** The failures are over: the next one is logged whatever it says. */
  reset(): void {
    this.last = undefined;
    this.notLogged = 0;
  }
}
