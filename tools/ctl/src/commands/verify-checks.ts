import type Redis from 'ioredis';
import { scanAllKeys } from '@quantum/redis-streams';
import { KEYS } from '@quantum/cli-support/keys';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** The measured value, short. */
  value: string;
  /** Why it failed or warned, or a note. */
  detail?: string;
}

/** Metric families each service must expose (CONTRACT.md §3–4, docs/metrics.md). */
export const EXPECTED_FAMILIES = {
  'allocation-target': [
    'p29_shadow_loops_total', 'p29_shadow_proposed_total', 'p29_shadow_multiplier', 'p29_shadow_eff_score',
    'p29_shadow_eff_confidence', 'p29_shadow_last_success_timestamp_seconds', 'p29_shadow_symbols_per_loop',
  ],
  governor: [
    'p32_eff_apply_total', 'p32_eff_factor', 'quantum_govern_allow_total', 'quantum_govern_block_total',
    'governor_messages_total', 'governor_consumer_lag', 'governor_pending_messages', 'governor_dead_letters_total',
  ],
} as const;

export type ServiceName = keyof typeof EXPECTED_FAMILIES;

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses Prometheus text exposition: the families named by `# TYPE`/`# HELP` and every sample. */
export function parseMetrics(text: string): { families: Set<string>; samples: MetricSample[] } {
  const families = new Set<string>();
  const samples: MetricSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '') continue;
    const meta = /^#\s+(TYPE|HELP)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
    if (meta) {
      families.add(meta[2]);
      continue;
    }
    if (line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!sample) continue;
    const labels: Record<string, string> = {};
    const labelText = sample[3] ?? '';
    for (const m of labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const value = Number(sample[4] === '+Inf' ? Infinity : sample[4] === '-Inf' ? -Infinity : sample[4]);
    samples.push({ name: sample[1], labels, value });
    families.add(sample[1]);
  }
  return { families, samples };
}

/** A family is present when named by TYPE/HELP or a sample (with or without `_total`). */
export function hasFamily(families: ReadonlySet<string>, name: string): boolean {
  return families.has(name) || families.has(name.replace(/_total$/, '')) || families.has(`${name}_total`);
}

/** Sum of a metric's samples grouped by one label (`''` key when the label is absent). */
export function sumBy(samples: readonly MetricSample[], name: string, label?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const s of samples) {
    if (s.name !== name) continue;
    const key = label ? s.labels[label] ?? '' : '';
    out.set(key, (out.get(key) ?? 0) + s.value);
  }
  return out;
}

export interface HttpReply {
  status: number;
  body: string;
}

export async function httpGet(url: string, timeoutMs: number): Promise<HttpReply> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
}

function errorText(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

export interface ServiceProbe {
  readyz?: HttpReply;
  readyzError?: string;
  metrics?: HttpReply;
  metricsError?: string;
  config?: HttpReply;
}

export async function probeService(baseUrl: string, timeoutMs: number): Promise<ServiceProbe> {
  const base = baseUrl.replace(/\/+$/, '');
  const probe: ServiceProbe = {};
  await Promise.all([
    httpGet(`${base}/readyz`, timeoutMs).then((r) => (probe.readyz = r), (e) => (probe.readyzError = errorText(e))),
    httpGet(`${base}/metrics`, timeoutMs).then((r) => (probe.metrics = r), (e) => (probe.metricsError = errorText(e))),
    httpGet(`${base}/config`, timeoutMs).then((r) => (probe.config = r), () => undefined),
  ]);
  return probe;
}

export function readyzCheck(service: ServiceName, baseUrl: string, probe: ServiceProbe): CheckResult {
  const name = `${service} /readyz`;
  if (!probe.readyz) return { name, status: 'fail', value: 'unreachable', detail: `${baseUrl}/readyz: ${probe.readyzError}` };
  if (probe.readyz.status === 200) return { name, status: 'pass', value: 'ready (200)' };
  let reasons = probe.readyz.body.trim().slice(0, 200);
  try {
    const parsed = JSON.parse(probe.readyz.body) as { reasons?: unknown };
    if (Array.isArray(parsed.reasons)) reasons = parsed.reasons.join('; ');
  } catch {
    // not JSON: keep the text
  }
  return { name, status: 'fail', value: `not ready (${probe.readyz.status})`, detail: reasons };
}

export function metricsCheck(service: ServiceName, baseUrl: string, probe: ServiceProbe): CheckResult {
  const name = `${service} metric families`;
  if (!probe.metrics) return { name, status: 'fail', value: 'unreachable', detail: `${baseUrl}/metrics: ${probe.metricsError}` };
  if (probe.metrics.status !== 200) return { name, status: 'fail', value: `HTTP ${probe.metrics.status}` };
  const { families } = parseMetrics(probe.metrics.body);
  const expected = EXPECTED_FAMILIES[service];
  const missing = expected.filter((f) => !hasFamily(families, f));
  if (missing.length > 0) return { name, status: 'fail', value: `${expected.length - missing.length}/${expected.length} present`, detail: `missing: ${missing.join(', ')}` };
  return { name, status: 'pass', value: `${expected.length}/${expected.length} present` };
}

/** Freshness of the allocation loop from `p29_shadow_last_success_timestamp_seconds`. */
export function loopAgeCheck(probe: ServiceProbe, nowSec: number, maxAgeSec: number): CheckResult {
  const name = 'allocation-target last loop';
  if (!probe.metrics || probe.metrics.status !== 200) return { name, status: 'fail', value: 'no metrics' };
  const sample = parseMetrics(probe.metrics.body).samples.find((s) => s.name === 'p29_shadow_last_success_timestamp_seconds');
  if (!sample) return { name, status: 'warn', value: 'not reported' };
  if (sample.value <= 0) return { name, status: 'fail', value: 'never succeeded' };
  const age = nowSec - sample.value;
  const value = `${age.toFixed(1)} s ago`;
  return age <= maxAgeSec ? { name, status: 'pass', value } : { name, status: 'fail', value, detail: `older than ${maxAgeSec} s` };
}

/** Whether the service tells its configuration on `/config` (JSON, secrets masked by the service). */
export function configCheck(service: ServiceName, probe: ServiceProbe): CheckResult {
  const name = `${service} config`;
  const reply = probe.config;
  if (!reply || reply.status === 404) return { name, status: 'warn', value: 'not exposed', detail: 'the service has no /config endpoint' };
  if (reply.status !== 200) return { name, status: 'fail', value: `HTTP ${reply.status}` };
  try {
    const parsed: unknown = JSON.parse(reply.body);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return { name, status: 'pass', value: `${Object.keys(parsed).length} settings` };
    }
  } catch {
    // fall through: not JSON
  }
  return { name, status: 'fail', value: 'unreadable', detail: `/config is not a JSON object: ${reply.body.slice(0, 80)}` };
}

export async function redisPingCheck(redis: Redis): Promise<CheckResult> {
  const started = process.hrtime.bigint();
  const reply = await redis.ping();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return { name: 'redis ping', status: reply === 'PONG' ? 'pass' : 'fail', value: `${reply} in ${ms.toFixed(1)} ms` };
}

/** Flat `[k, v, k, v]` → object (XINFO replies). */
function pairs(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  else if (reply && typeof reply === 'object') Object.assign(out, reply);
  return out;
}

export async function consumerGroupCheck(redis: Redis, maxLag: number, maxPending: number): Promise<CheckResult> {
  const name = `governor group on ${KEYS.planStream}`;
  let groups: unknown[];
  try {
    groups = (await redis.call('XINFO', 'GROUPS', KEYS.planStream)) as unknown[];
  } catch (error) {
    const message = (error as Error).message;
    if (/no such key/i.test(message)) return { name, status: 'fail', value: 'stream missing', detail: 'no plans were ever published, or the stream was deleted' };
    throw error;
  }
  const group = groups.map(pairs).find((g) => g['name'] === KEYS.governorGroup);
  if (!group) return { name, status: 'fail', value: 'group missing', detail: `groups: ${groups.map((g) => String(pairs(g)['name'])).join(', ') || 'none'}` };
  const pending = Number(group['pending'] ?? 0);
  const lagRaw = group['lag'];
  const lag = lagRaw === null || lagRaw === undefined ? undefined : Number(lagRaw);
  const value = `lag ${lag ?? 'unknown'}, pending ${pending}, consumers ${group['consumers']}`;
  const problems: string[] = [];
  if (lag !== undefined && lag > maxLag) problems.push(`lag above ${maxLag}`);
  if (pending > maxPending) problems.push(`pending above ${maxPending}`);
  if (problems.length > 0) return { name, status: 'fail', value, detail: problems.join('; ') };
  if (lag === undefined) return { name, status: 'warn', value, detail: 'Redis cannot tell the lag (trimmed entries or Redis < 7)' };
  return { name, status: 'pass', value };
}

export interface StreamSample {
  length: number;
  lastId: string | undefined;
}

export async function sampleStream(redis: Redis, stream: string): Promise<StreamSample> {
  const [length, last] = await Promise.all([redis.xlen(stream), redis.xrevrange(stream, '+', '-', 'COUNT', 1)]);
  return { length, lastId: last[0]?.[0] };
}

function idTime(id: string | undefined): number {
  return id ? Number(id.split('-')[0]) : 0;
}

/**
 * A stream grew when its last entry id moved. `idle` is the reason it may legitimately not have
 * grown (no inputs), which makes a non-growing stream a warning instead of a failure.
 */
export function growthCheck(name: string, before: StreamSample, after: StreamSample, windowSec: number, idle?: string): CheckResult {
  const grew = after.lastId !== undefined && after.lastId !== before.lastId;
  if (grew) {
    const added = Math.max(0, after.length - before.length);
    return { name, status: 'pass', value: `+${added} entries in ${windowSec} s (len ${after.length})` };
  }
  const lastAge = after.lastId ? `last entry ${((Date.now() - idTime(after.lastId)) / 1000).toFixed(0)} s ago` : 'stream empty';
  if (idle) return { name, status: 'warn', value: `no new entries in ${windowSec} s`, detail: `${idle}; ${lastAge}` };
  return { name, status: 'fail', value: `no new entries in ${windowSec} s`, detail: lastAge };
}

/** TTLs of keys matching `pattern` (a sample of at most `limit`) must be in (0, maxTtl]. */
export async function ttlCheck(redis: Redis, name: string, pattern: string, maxTtl: number, limit: number, emptyStatus: CheckStatus): Promise<CheckResult> {
  const keys = (await scanAllKeys(redis, { match: pattern, count: 1000 })).slice(0, limit);
  if (keys.length === 0) return { name, status: emptyStatus, value: 'no keys', detail: emptyStatus === 'pass' ? undefined : `nothing matches ${pattern}` };
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.ttl(key);
  const replies = (await pipeline.exec()) ?? [];
  const ttls = replies.map(([error, ttl]) => (error ? NaN : Number(ttl)));
  // -2: expired between SCAN and TTL, fine.
  const present = ttls.filter((t) => t !== -2);
  const bad = keys.filter((_, i) => ttls[i] !== -2 && !(ttls[i] > 0 && ttls[i] <= maxTtl));
  const min = present.length ? Math.min(...present) : 0;
  const max = present.length ? Math.max(...present) : 0;
  const value = `${present.length} keys, ttl ${min}..${max} s`;
  if (bad.length > 0) {
    const example = bad[0];
    const ttl = ttls[keys.indexOf(example)];
    return { name, status: 'fail', value, detail: `${bad.length} outside (0, ${maxTtl}], e.g. ${example} ttl ${ttl === -1 ? 'none' : ttl}` };
  }
  return { name, status: 'pass', value };
}

export async function countTargets(redis: Redis): Promise<number> {
  const keys = await scanAllKeys(redis, { match: KEYS.target('*'), count: 1000 });
  return keys.filter((k) => k.split(':').length === 4).length;
}
