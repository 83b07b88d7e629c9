import type { ThrowawayRedis } from '@quantum/redis-streams/testing';

/** One row of a benchmark's result table. */
export interface BenchRow {
  readonly case: string;
  readonly opsPerSec: number;
  readonly ops: number;
  readonly seconds: number;
  readonly [extra: string]: string | number;
}

export interface BenchResult {
  readonly name: string;
  readonly rows: readonly BenchRow[];
}

/** What `npm run bench` shares between benchmarks run together: one throwaway Redis. */
export interface BenchContext {
  readonly redis?: ThrowawayRedis;
}

export interface Bench {
  readonly name: string;
  readonly summary: string;
  /** Uses `context.redis` when given (flushing what it wrote is its own job), else its own Redis. */
  run(context?: BenchContext): Promise<BenchResult>;
}
