export interface ScrapeBody {
  readonly chunks: readonly Buffer[];
  /** Bytes in all chunks. */
  readonly length: number;
}

interface Render {
  readonly startedAt: number;
  settled: boolean;
  readonly body: Promise<ScrapeBody>;
}

/**
 * Shares one render of the exposition between scrapes: a scrape while a render runs waits for
 * that render, and a scrape less than `maxAgeMs` after the start of the last successful render
 * gets its text. Several scrapers (an HA pair of Prometheus servers, an operator's curl) then cost
 * one render per `maxAgeMs` at most, and what a scraper sees is at most `maxAgeMs` plus one render
 * old. A failed render is not kept: its waiters get the error, the next scrape renders again.
 */
export class ScrapeCache {
  private last: Render | undefined;

  constructor(
    private readonly render: () => Promise<readonly Buffer[]>,
    /** 0: only scrapes during a render share it. */
    private readonly maxAgeMs: number,
    /** Milliseconds of a clock that does not go back. */
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(maxAgeMs >= 0)) throw new RangeError(`scrape cache age must be 0 or more ms, got ${maxAgeMs}`);
  }

  body(): Promise<ScrapeBody> {
    const now = this.now();
    const last = this.last;
    if (last !== undefined && (!last.settled || now - last.startedAt < this.maxAgeMs)) return last.body;
    const entry: Render = {
      startedAt: now,
      settled: false,
      body: this.render().then(
        (chunks) => {
          entry.settled = true;
          let length = 0;
          for (const chunk of chunks) length += chunk.length;
          return { chunks, length };
        },
        (error: unknown) => {
          if (this.last === entry) this.last = undefined;
          throw error;
        },
      ),
    };
    this.last = entry;
    return entry.body;
  }
}
