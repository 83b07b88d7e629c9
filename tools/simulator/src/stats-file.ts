import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PRODUCERS } from './plan-record';
import type { SimStats } from './stats';

/**
 * The simulator's stats as a JSON file, for a supervisor (`npm start`) to show: replaced
 * whole (written aside, then renamed) so a reader never sees half a file.
 */
export function writeStatsFile(path: string, stats: SimStats): void {
  const aside = `${path}.${process.pid}.tmp`;
  writeFileSync(aside, `${JSON.stringify(stats)}\n`);
  renameSync(aside, path);
}

/** The stats last written to `path`; undefined while there are none or they are not stats. */
export function readStatsFile(path: string): SimStats | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined; // not written yet
  }
  const byProducer = (parsed as Partial<SimStats> | null)?.byProducer;
  if (typeof byProducer !== 'object' || byProducer === null) return undefined;
  return PRODUCERS.every((p) => typeof byProducer[p]?.plans === 'number') ? (parsed as SimStats) : undefined;
}
