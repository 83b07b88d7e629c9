/**
 * What a metric's `get()` resolves to at run time (prom-client's typings say `type` is an enum,
 * it is the type's name).
 */
export interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values?: readonly SampleValue[];
}

export interface SampleValue {
  readonly value: number;
  readonly labels?: object;
  /** Histograms and summaries: the series' own name (`_bucket`, `_sum`, ...). */
  readonly metricName?: string;
  readonly sharedLabels?: object;
}

/*
 * Prometheus text exposition (version 0.0.4) exactly as prom-client 15 prints it
 * (`Registry.getMetricsAsString`), for a registry without default labels. Kept character for
 * character, the spec compares against prom-client's own output, so a scrape renders the same
 * text whichever way it was produced.
 */

const NEEDS_ESCAPE = /[\\\n"]/;

/** `\` and newline escaped: metric names and help texts. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value between its quotes: `\`, newline and `"` escaped; a non-string as JavaScript prints it. */
export function escapeLabelValue(value: unknown): string {
  if (typeof value !== 'string') return `${value as string}`;
  // most values (symbols, reasons) need nothing: skip the three replaces
  return NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
}

/** A sample value: prom-client prints NaN as `Nan` and infinities as `+Inf` / `-Inf`. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/** `name="value",...` of a label set, its own labels first (those also shared skipped), then the shared ones. */
function labelParts(labels: object, shared: object | undefined): string[] {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(labels)) {
    if (shared === undefined || !Object.prototype.hasOwnProperty.call(shared, name)) parts.push(`${name}="${escapeLabelValue(value)}"`);
  }
  if (shared !== undefined) {
    const flat = labelParts(shared, undefined).join(',');
    if (flat !== '') parts.push(flat);
  }
  return parts;
}

/** Everything of a sample line before its value: `name{a="x",b="y"} ` (no braces without labels). */
export function sampleHead(name: string, labels: object): string {
  const parts = labelParts(labels, undefined);
  return parts.length > 0 ? `${name}{${parts.join(',')}} ` : `${name} `;
}

/** `# HELP` and `# TYPE` lines of a metric family. */
export function familyHeader(name: string, help: string, type: string): [string, string] {
  const escaped = escapeText(name);
  return [`# HELP ${escaped} ${escapeText(help)}`, `# TYPE ${escaped} ${type}`];
}

/** The sample lines of a metric's `get()` result, one at a time. */
export function* sampleLines(metric: MetricSnapshot): Generator<string, void, undefined> {
  const name = escapeText(metric.name);
  for (const v of metric.values ?? []) {
    // defaults only for absent fields, as prom-client's destructuring does
    const metricName = v.metricName === undefined ? name : v.metricName;
    const parts = labelParts(v.labels === undefined ? {} : v.labels, v.sharedLabels === undefined ? {} : v.sharedLabels);
    yield `${parts.length > 0 ? `${metricName}{${parts.join(',')}}` : metricName} ${formatSampleValue(v.value)}`;
  }
}
