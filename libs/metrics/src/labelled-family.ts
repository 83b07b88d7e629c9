import type { Registry } from 'prom-client';
import { escapeText, formatSampleValue, sampleHead } from './exposition';
import { SAMPLE_LINES, type SampleSource } from './render';

type Labels<L extends string> = Readonly<Record<L, string>>;

interface Series {
  readonly labels: Record<string, string>;
  /** The sample line up to its value, printed once when the series is created. */
  readonly head: string;
  /** Creation number in the family: a render prints only series older than itself. */
  readonly seq: number;
  value: number;
}

export interface LabelledFamilyOptions<L extends string> {
  readonly name: string;
  readonly help: string;
  /**
   * At least one. The first is the group label: {@link LabelledFamily.removeGroup} removes every
   * series with one value of it at once (a symbol's series over all reasons).
   */
  readonly labelNames: readonly [L, ...L[]];
  readonly registers?: readonly Registry[];
  /** Called before the series are read for a scrape (`get()` and the sample lines), e.g. to remove idle ones. */
  readonly collect?: () => void;
}

/** Separates the values of the labels after the first in a series key. */
const SEP = '\u0000';

/**
 * A counter or gauge with fixed label names for many series (one per symbol, or per symbol and
 * reason), registered in a prom-client registry like prom-client's own metrics (`get()` gives
 * the same shape and order) and rendered by `renderExposition` without building an object per
 * series. Updating a series is one Map lookup (prom-client hashes the label set on every call);
 * the series' text up to its value is built once, when it is created. Series are printed in the
 * order they were created, grouped by their first label.
 */
abstract class LabelledFamily<L extends string> implements SampleSource {
  abstract readonly type: 'counter' | 'gauge';
  readonly aggregator = 'sum' as const;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  private readonly escapedName: string;
  private readonly collect: (() => void) | undefined;
  /** By the value of the first label: the series itself (one label) or the group's series by the values of the rest. */
  private readonly groups = new Map<string, Series | Map<string, Series>>();
  private count = 0;
  private nextSeq = 0;

  constructor(options: LabelledFamilyOptions<L>) {
    if (options.labelNames.length === 0) throw new Error(`${options.name}: at least one label name`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    this.escapedName = escapeText(options.name);
    this.collect = options.collect;
    for (const registry of options.registers ?? []) registry.registerMetric(this as never);
  }

  /** Series currently held. */
  get size(): number {
    return this.count;
  }

  /** The series of `labels`, created (at value 0) when absent. */
  protected series(labels: Labels<L>): Series {
    const names = this.labelNames;
    const first = labels[names[0] as L];
    const group = this.groups.get(first);
    if (names.length === 1) {
      if (group !== undefined) return group as Series;
      const created = this.create(labels);
      this.groups.set(first, created);
      return created;
    }
    let key = labels[names[1] as L] as string;
    for (let i = 2; i < names.length; i++) key += SEP + labels[names[i] as L];
    let inner = group as Map<string, Series> | undefined;
    if (inner === undefined) {
      inner = new Map();
      this.groups.set(first, inner);
    } else {
      const found = inner.get(key);
      if (found !== undefined) return found;
    }
    const created = this.create(labels);
    inner.set(key, created);
    return created;
  }

  private create(labels: Labels<L>): Series {
    // the label set in label-name order, copied (the caller may reuse its object)
    const own: Record<string, string> = {};
    for (const name of this.labelNames) {
      const value = labels[name];
      if (typeof value !== 'string') throw new TypeError(`${this.name}: label ${name} must be a string, got ${typeof value}`);
      own[name] = value;
    }
    this.count += 1;
    return { labels: own, head: sampleHead(this.escapedName, own), seq: this.nextSeq++, value: 0 };
  }

  /** Removes the series of exactly `labels` (nothing when absent). */
  remove(labels: Labels<L>): void {
    const names = this.labelNames;
    const first = labels[names[0] as L];
    const group = this.groups.get(first);
    if (group === undefined) return;
    if (names.length === 1) {
      this.groups.delete(first);
      this.count -= 1;
      return;
    }
    const inner = group as Map<string, Series>;
    let key = labels[names[1] as L] as string;
    for (let i = 2; i < names.length; i++) key += SEP + labels[names[i] as L];
    if (!inner.delete(key)) return;
    this.count -= 1;
    if (inner.size === 0) this.groups.delete(first);
  }

  /** Removes every series whose first label has this value. */
  removeGroup(value: string): void {
    const group = this.groups.get(value);
    if (group === undefined) return;
    this.groups.delete(value);
    this.count -= group instanceof Map ? group.size : 1;
  }

  /** Removes every series (prom-client's `reset()`, used by `Registry.resetMetrics()`). */
  reset(): void {
    this.groups.clear();
    this.count = 0;
  }

  /** The series in printing order, as they are now. */
  private snapshot(): Series[] {
    const out: Series[] = [];
    for (const group of this.groups.values()) {
      if (group instanceof Map) for (const s of group.values()) out.push(s);
      else out.push(group);
    }
    return out;
  }

  /** prom-client's metric interface (`Registry.metrics()`, `getMetricsAsJSON()`). */
  async get(): Promise<{ name: string; help: string; type: 'counter' | 'gauge'; aggregator: 'sum'; values: { value: number; labels: Record<L, string> }[] }> {
    this.collect?.();
    const values = this.snapshot().map((s) => ({ value: s.value, labels: s.labels as Record<L, string> }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /**
   * The sample lines, read from the live series as the renderer asks for them (no copy of
   * 100k series up front): a series removed meanwhile is not printed if not reached yet, one
   * created meanwhile (a removed one created again included) waits for the next scrape, so no
   * series is printed twice. Values are read as each line is made.
   */
  *[SAMPLE_LINES](): Generator<string, void, undefined> {
    this.collect?.();
    const end = this.nextSeq;
    for (const group of this.groups.values()) {
      if (group instanceof Map) {
        for (const s of group.values()) if (s.seq < end) yield s.head + formatSampleValue(s.value);
      } else if (group.seq < end) {
        yield group.head + formatSampleValue(group.value);
      }
    }
  }
}

/** A counter of {@link LabelledFamily} series. */
export class LabelledCounter<L extends string> extends LabelledFamily<L> {
  readonly type = 'counter' as const;

  /** Adds `n` (default 1; finite, not negative) to the series of `labels`. */
  inc(labels: Labels<L>, n = 1): void {
    if (!(n >= 0) || n === Infinity) throw new RangeError(`${this.name}: a counter step must be finite and not negative, got ${n}`);
    this.series(labels).value += n;
  }
}

/** A gauge of {@link LabelledFamily} series. */
export class LabelledGauge<L extends string> extends LabelledFamily<L> {
  readonly type = 'gauge' as const;

  set(labels: Labels<L>, value: number): void {
    if (typeof value !== 'number') throw new TypeError(`${this.name}: a gauge value must be a number, got ${typeof value}`);
    this.series(labels).value = value;
  }
}
