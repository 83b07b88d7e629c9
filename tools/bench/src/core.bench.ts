import {
  allocationMultiplier,
  DEFAULT_ALLOCATION_SETTINGS,
  DEFAULT_DOWNSIZE_PARAMS,
  downsizeHint,
  EfficiencyGates,
  EfficiencyReading,
  readEfficiency,
} from '@quantum/efficiency-core';
import { Bench, BenchResult, BenchRow } from './registry';
import { formatTable, measure } from './timing';

// Plain local references: under tsx every cross-module call goes through an export getter,
// which would be measured instead of the core (the bundled services call the functions directly).
const multiplier = allocationMultiplier;
const hint = downsizeHint;
const read = readEfficiency;

const NOW = 1_700_000_000;
const SIZE = 4096; // power of two: index with & (SIZE - 1)

/** Varied but mostly usable inputs (some stale, low-confidence, missing and invalid ones). */
function makeHashes(): Record<string, string>[] {
  const hashes: Record<string, string>[] = [];
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < SIZE; i++) {
    const kind = i % 16;
    const score = rnd().toFixed(4);
    const conf = (0.5 + rnd() * 0.5).toFixed(3);
    const ts = String(NOW - Math.floor(rnd() * (kind === 0 ? 2000 : 500)));
    if (kind === 1) hashes.push({});
    else if (kind === 2) hashes.push({ efficiency_score: 'abc', confidence: conf, ts });
    else hashes.push({ efficiency_score: score, confidence: conf, ts, window: '3600' });
  }
  return hashes;
}

const gatesAlloc: EfficiencyGates = DEFAULT_ALLOCATION_SETTINGS;
const gatesPermit: EfficiencyGates = { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 };

function multiplierFromReading(readings: readonly EfficiencyReading[], n: number): number {
  const p = DEFAULT_ALLOCATION_SETTINGS;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += multiplier(readings[i & (SIZE - 1)], p);
  return sum;
}

function multiplierFromRaw(hashes: readonly Record<string, string>[], n: number): number {
  const p = DEFAULT_ALLOCATION_SETTINGS;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += multiplier(read(hashes[i & (SIZE - 1)], NOW, gatesAlloc), p);
  return sum;
}

function downsizeFromReading(readings: readonly EfficiencyReading[], n: number): number {
  const p = DEFAULT_DOWNSIZE_PARAMS;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const h = hint(readings[i & (SIZE - 1)], p);
    sum += h.factor + h.extraCooldownSec;
  }
  return sum;
}

function downsizeFromRaw(hashes: readonly Record<string, string>[], n: number): number {
  const p = DEFAULT_DOWNSIZE_PARAMS;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const h = hint(read(hashes[i & (SIZE - 1)], NOW, gatesPermit), p);
    sum += h.factor + h.extraCooldownSec;
  }
  return sum;
}

export interface CoreBenchNumbers extends BenchResult {
  readonly opsPerSec: {
    readonly multiplierFromReading: number;
    readonly multiplierFromRawHash: number;
    readonly downsizeFromReading: number;
    readonly downsizeFromRawHash: number;
  };
}

export async function runCoreBench(opts: { measureMs?: number; warmupMs?: number; print?: (s: string) => void } = {}): Promise<CoreBenchNumbers> {
  const hashes = makeHashes();
  const readingsAlloc = hashes.map((h) => readEfficiency(h, NOW, gatesAlloc));
  const readingsPermit = hashes.map((h) => readEfficiency(h, NOW, gatesPermit));
  const o = { measureMs: opts.measureMs, warmupMs: opts.warmupMs };
  const rows: BenchRow[] = [
    measure('multiplier, from a parsed reading', (n) => multiplierFromReading(readingsAlloc, n), o),
    measure('multiplier, from raw hash strings (read + gates + formula)', (n) => multiplierFromRaw(hashes, n), o),
    measure('downsize hint, from a parsed reading', (n) => downsizeFromReading(readingsPermit, n), o),
    measure('downsize hint, from raw hash strings (read + gates + formula)', (n) => downsizeFromRaw(hashes, n), o),
  ].map(({ sink: _sink, ...row }) => row);
  (opts.print ?? console.log)(formatTable('core: evaluations per second (single thread)', rows));
  return {
    name: 'core',
    rows,
    opsPerSec: {
      multiplierFromReading: rows[0].opsPerSec,
      multiplierFromRawHash: rows[1].opsPerSec,
      downsizeFromReading: rows[2].opsPerSec,
      downsizeFromRawHash: rows[3].opsPerSec,
    },
  };
}

export const coreBench: Bench = {
  name: 'core',
  summary: 'efficiency-core: multiplier and downsize-hint evaluations per second',
  run: () => runCoreBench(),
};
