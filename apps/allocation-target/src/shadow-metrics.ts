import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AllocationProposal } from '@quantum/efficiency-core';
import { escapeLabelValue, escapeText, formatSampleValue, SAMPLE_LINES, type SampleSource } from '@quantum/metrics';
import type { LoopObserver, LoopOutcome } from './shadow-loop';
import { PROPOSAL_REASONS } from './shadow-loop';

/** A symbol's value, updated in place (no new heap number per loop), and the loop that set it. */
interface Slot {
  value: number;
  generation: number;
  /** The gauge's `stampMs` when the value was last set. */
  touchedMs: number;
  /** Creation number in the gauge: a render prints only slots older than itself. */
  readonly seq: number;
}

/**
 * A gauge with one `symbol` label whose values live in a plain Map and are turned into series
 * only when scraped. prom-client's labelled gauges hash the label set on every `set()`, which at
 * 100k symbols x 3 gauges per loop costs more than the rest of the loop; here a loop pays one
 * Map lookup per symbol and a scrape pays the formatting, which the metrics server does a slice
 * at a time through {@link SAMPLE_LINES}. Series appear in the order their symbols were first
 * set (again after a removal), as with `Map.set`.
 */
export class SymbolGauge implements SampleSource {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  /** Stamped on every value set; `ShadowMetrics` advances it when a loop starts. */
  generation = 0;
  /** Time stamped on every value set (ms of a clock that does not go back); `ShadowMetrics` sets it per batch. */
  stampMs = 0;
  private readonly values = new Map<string, Slot>();
  private nextSeq = 0;

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  set(symbol: string, value: number): void {
    const slot = this.values.get(symbol);
    if (slot !== undefined) {
      slot.value = value;
      slot.generation = this.generation;
      slot.touchedMs = this.stampMs;
    } else {
      this.values.set(symbol, { value, generation: this.generation, touchedMs: this.stampMs, seq: this.nextSeq++ });
    }
  }

  remove(symbol: string): void {
    this.values.delete(symbol);
  }

  has(symbol: string): boolean {
    return this.values.has(symbol);
  }

  get size(): number {
    return this.values.size;
  }

  symbols(): IterableIterator<string> {
    return this.values.keys();
  }

  reset(): void {
    this.values.clear();
  }

  /**
   * Removes the series of every symbol not in `keep`. With `setThisGeneration`, a value set in the
   * current generation is known to belong to a symbol of this loop and is kept without a lookup.
   */
  sweep(keep: ReadonlySet<string>, setThisGeneration: boolean): void {
    const generation = this.generation;
    // deleting the current entry while iterating a Map is safe
    for (const [symbol, slot] of this.values) {
      if (setThisGeneration && slot.generation === generation) continue;
      if (!keep.has(symbol)) this.values.delete(symbol);
    }
  }

  /** Removes the series whose value was last set at or before `cutoffMs` (same clock as `stampMs`). */
  removeSetBefore(cutoffMs: number): void {
    for (const [symbol, slot] of this.values) if (slot.touchedMs <= cutoffMs) this.values.delete(symbol);
  }

  /**
   * The sample lines, read from the live Map as the renderer asks for them: a series created
   * meanwhile (a removed one set again included) waits for the next scrape, so none is printed
   * twice.
   */
  *[SAMPLE_LINES](): Generator<string, void, undefined> {
    const end = this.nextSeq;
    const name = escapeText(this.name);
    for (const [symbol, slot] of this.values) {
      if (slot.seq < end) yield `${name}{symbol="${escapeLabelValue(symbol)}"} ${formatSampleValue(slot.value)}`;
    }
  }

  /** prom-client's metric interface (what `Registry.metrics()` reads). */
  async get(): Promise<{ name: string; help: string; type: 'gauge'; aggregator: 'sum'; values: { labels: { symbol: string }; value: number }[] }> {
    const values: { labels: { symbol: string }; value: number }[] = [];
    for (const [symbol, slot] of this.values) values.push({ labels: { symbol }, value: slot.value });
    return { name: this.name, help: this.help, type: 'gauge', aggregator: 'sum', values };
  }
}

export const DEFAULT_SYMBOL_IDLE_SEC = 3600;

export interface ShadowMetricsOptions {
  /**
   * `METRICS_SYMBOL_IDLE_SEC`: a per-symbol series not set for this long is removed when a loop
   * fails (default 3600). A successful loop already removes the series of every symbol it did not
   * see, so this only matters while loops keep failing: Redis down, or a loop failing part-way
   * each time, leaving the series of the symbols it no longer reaches. Keep it above
   * `LOOP_INTERVAL_SEC`.
   */
  readonly symbolIdleSec?: number;
  /** Milliseconds of a clock that does not go back (default `performance.now`). */
  readonly now?: () => number;
}

/** Every metric allocation-target exports (contract §3 names plus the loop's own). */
export class ShadowMetrics implements LoopObserver {
  readonly loops: Counter;
  readonly proposed: Counter<'reason'>;
  readonly loopErrors: Counter;
  readonly loopDuration: Histogram;
  readonly symbolsPerLoop: Gauge;
  readonly lastSuccess: Gauge;
  readonly ready: Gauge;
  readonly multiplier = new SymbolGauge('p29_shadow_multiplier', 'multiplier of the last proposal written for the symbol');
  readonly effScore = new SymbolGauge('p29_shadow_eff_score', 'efficiency score read for the symbol in the last loop (only when it parsed: ok, stale_eff, low_conf)');
  readonly effConfidence = new SymbolGauge('p29_shadow_eff_confidence', 'efficiency confidence read for the symbol in the last loop (only when it parsed: ok, stale_eff, low_conf)');
  /** Whether `onLoopStart` announced the loop now ending (see `loopSucceeded`). */
  private loopStarted = false;
  private readonly idleMs: number;
  private readonly now: () => number;

  /** `readyProbe`: what `service_ready` reports at scrape time (default: the last `setReady`). */
  constructor(
    readonly registry: Registry,
    readyProbe?: () => boolean,
    options: ShadowMetricsOptions = {},
  ) {
    const idleSec = options.symbolIdleSec ?? DEFAULT_SYMBOL_IDLE_SEC;
    if (!(idleSec > 0) || !Number.isFinite(idleSec)) throw new RangeError(`symbolIdleSec must be a finite number above 0, got ${idleSec}`);
    this.idleMs = idleSec * 1000;
    this.now = options.now ?? (() => performance.now());
    const registers = [registry];
    this.loops = new Counter({ name: 'p29_shadow_loops_total', help: 'proposal loops completed', registers });
    this.proposed = new Counter({ name: 'p29_shadow_proposed_total', help: 'symbols evaluated, by reason (invalid_target: no proposal written)', labelNames: ['reason'], registers });
    for (const reason of PROPOSAL_REASONS) this.proposed.inc({ reason }, 0);
    this.loopErrors = new Counter({ name: 'p29_shadow_loop_errors_total', help: 'proposal loops that failed (Redis unreachable or a command failed)', registers });
    this.loopDuration = new Histogram({
      name: 'p29_shadow_loop_duration_seconds',
      help: 'duration of a proposal loop, successful or not',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.symbolsPerLoop = new Gauge({ name: 'p29_shadow_symbols_per_loop', help: 'target symbols found by the last successful loop', registers });
    this.lastSuccess = new Gauge({ name: 'p29_shadow_last_success_timestamp_seconds', help: 'epoch seconds at which the last successful loop ended', registers });
    this.ready = new Gauge({
      name: 'service_ready',
      help: '1 when Redis is reachable and the last loop succeeded, else 0',
      registers,
      ...(readyProbe ? { collect(this: Gauge) { this.set(readyProbe() ? 1 : 0); } } : {}),
    });
    this.ready.set(0);
    for (const g of [this.multiplier, this.effScore, this.effConfidence]) registry.registerMetric(g as never);
  }

  /** A loop starts: values set from now on belong to its symbols. */
  onLoopStart(): void {
    for (const g of [this.multiplier, this.effScore, this.effConfidence]) g.generation++;
    this.loopStarted = true;
  }

  /**
   * Per written batch: count reasons and set the per-symbol gauges (no series for a symbol
   * without the value). Counted per batch, so a loop that fails half-way still counts what it wrote.
   */
  onBatch(symbols: readonly string[], proposals: readonly AllocationProposal[]): void {
    const counts = new Map<string, number>();
    for (const p of proposals) counts.set(p.reason, (counts.get(p.reason) ?? 0) + 1);
    for (const [reason, n] of counts) this.proposed.inc({ reason }, n);
    const stampMs = this.now();
    for (const g of [this.multiplier, this.effScore, this.effConfidence]) g.stampMs = stampMs;
    for (let i = 0; i < symbols.length; i++) {
      const symbol = symbols[i] as string;
      const p = proposals[i] as AllocationProposal;
      if (p.reason === 'invalid_target') this.multiplier.remove(symbol);
      else this.multiplier.set(symbol, p.multiplier);
      const r = p.reading;
      if (r.score !== undefined && r.confidence !== undefined) {
        this.effScore.set(symbol, r.score);
        this.effConfidence.set(symbol, r.confidence);
      } else {
        this.effScore.remove(symbol);
        this.effConfidence.remove(symbol);
      }
    }
  }

  /** After a successful loop: counters, and removal of the series of symbols that disappeared. */
  loopSucceeded(outcome: LoopOutcome, durationSec: number, endedAtSec: number): void {
    this.loops.inc();
    this.loopDuration.observe(durationSec);
    this.symbolsPerLoop.set(outcome.symbols);
    this.lastSuccess.set(endedAtSec);
    // a value set since onLoopStart is one of this loop's symbols; without onLoopStart, check all
    for (const g of [this.multiplier, this.effScore, this.effConfidence]) g.sweep(outcome.seen, this.loopStarted);
    this.loopStarted = false;
  }

  /** After a failed loop: counters, and removal of the series not set for the idle time. */
  loopFailed(durationSec: number): void {
    this.loopStarted = false;
    this.loopErrors.inc();
    this.loopDuration.observe(durationSec);
    const cutoffMs = this.now() - this.idleMs;
    for (const g of [this.multiplier, this.effScore, this.effConfidence]) g.removeSetBefore(cutoffMs);
  }

  setReady(ready: boolean): void {
    this.ready.set(ready ? 1 : 0);
  }
}

