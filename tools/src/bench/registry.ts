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

export interface Bench {
  readonly name: string;
  readonly summary: string;
  run(): Promise<BenchResult>;
}
