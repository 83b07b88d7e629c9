import { Registry, type RegistryContentType } from 'prom-client';
import { familyHeader, sampleLines, type MetricSnapshot } from './exposition';

/**
 * Key of the method by which a metric prints its own sample lines. `renderExposition` uses it
 * instead of `get()`, which builds one object per series before anything is printed: a family of
 * 100k series then costs one long, unbreakable stretch of the event loop.
 */
export const SAMPLE_LINES: unique symbol = Symbol.for('@quantum/metrics.sampleLines');

/** A metric that prints its own sample lines (see {@link SAMPLE_LINES}). */
export interface SampleSource {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  /** Exactly the lines prom-client would print for this metric's `get()` values, in that order. */
  [SAMPLE_LINES](): Iterable<string>;
}

export function isSampleSource(metric: unknown): metric is SampleSource {
  return typeof (metric as Partial<SampleSource> | undefined)?.[SAMPLE_LINES] === 'function';
}

export interface RenderOptions {
  /**
   * Longest stretch of rendering, in ms, before it yields to the event loop so that I/O waiting
   * meanwhile (decisions, Redis replies) runs first (default 2). A single `get()` of a plain
   * prom-client metric cannot be split and may take longer.
   */
  readonly sliceMs?: number;
}

/** Lines printed between two looks at the clock (a line costs well under a microsecond). */
const LINES_PER_CHECK = 128;
/**
 * Most lines in one slice: joining and encoding a slice's lines at its end costs about as much
 * again as printing them, so a slice is also ended by its size, not only by the clock.
 */
const MAX_SLICE_LINES = 4096;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** prom-client keeps default labels private; with any set, its own rendering is used. */
function hasDefaultLabels(registry: Registry<RegistryContentType>): boolean {
  const labels = (registry as unknown as { _defaultLabels?: object })._defaultLabels;
  return labels !== undefined && Object.keys(labels).length > 0;
}

/**
 * The registry's Prometheus text exposition, byte for byte what `registry.metrics()` returns,
 * rendered a slice at a time: between slices it yields to the event loop, so a scrape of 100k
 * series delays other work by about `sliceMs` at a time instead of by the whole render. Each
 * slice is encoded as it is finished (no single encode of the whole text). Metric families are
 * read one after another, so (as with prom-client's own asynchronous collectors) a scrape is not
 * one instant: a value may change between two families, or within a family between slices.
 * OpenMetrics registries and registries with default labels are rendered by prom-client.
 */
export async function renderExposition(registry: Registry<RegistryContentType>, options: RenderOptions = {}): Promise<Buffer[]> {
  if (registry.contentType !== Registry.PROMETHEUS_CONTENT_TYPE || hasDefaultLabels(registry)) {
    return [Buffer.from(await registry.metrics(), 'utf8')];
  }
  const sliceMs = options.sliceMs ?? 2;
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  let sliceEnd = performance.now() + sliceMs;
  const endSlice = async (): Promise<void> => {
    if (lines.length > 0) chunks.push(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    lines = [];
    await nextTurn();
    sliceEnd = performance.now() + sliceMs;
  };

  const metrics = registry.getMetricsAsArray();
  for (let m = 0; m < metrics.length; m++) {
    const metric = metrics[m] as unknown;
    let header: [string, string];
    let samples: Iterable<string>;
    if (isSampleSource(metric)) {
      header = familyHeader(metric.name, metric.help, metric.type);
      samples = metric[SAMPLE_LINES]();
    } else {
      const source = metric as { get(): Promise<MetricSnapshot>; getForPromString?(): Promise<MetricSnapshot> };
      const item = typeof source.getForPromString === 'function' ? await source.getForPromString() : await source.get();
      header = familyHeader(item.name, item.help, item.type);
      samples = sampleLines(item);
    }
    // families are separated by an empty line
    if (m > 0) lines.push('');
    lines.push(header[0], header[1]);
    let sinceCheck = 0;
    for (const line of samples) {
      lines.push(line);
      if (++sinceCheck === LINES_PER_CHECK) {
        sinceCheck = 0;
        if (lines.length >= MAX_SLICE_LINES || performance.now() >= sliceEnd) await endSlice();
      }
    }
    if (performance.now() >= sliceEnd) await endSlice();
  }
  if (lines.length > 0) chunks.push(Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
  // prom-client's text of an empty registry is a lone newline
  return metrics.length === 0 ? [Buffer.from('\n', 'utf8')] : chunks;
}

/** {@link renderExposition} as one string. */
export async function renderMetrics(registry: Registry<RegistryContentType>, options: RenderOptions = {}): Promise<string> {
  return Buffer.concat(await renderExposition(registry, options)).toString('utf8');
}
