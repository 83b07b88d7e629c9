import { randomBytes } from 'node:crypto';
import { KILL_SWITCH_KEY, SYMBOL_PATTERN } from '@quantum/config';
import { parseDecimal } from '@quantum/efficiency-core';
import { UsageError } from '@quantum/cli-support/args';
import { UPSTREAM_TTL } from '@quantum/cli-support/keys';

/** One thing `ctl inject` writes. */
export type InjectRecord =
  | { kind: 'efficiency'; symbol: string; fields: Record<string, string>; ttlSec: number }
  | { kind: 'target'; symbol: string; fields: Record<string, string>; ttlSec: number }
  | { kind: 'plan'; planId: string; symbol: string; fields: Record<string, string> }
  | { kind: 'kill'; on: boolean };

/** The raw inputs of a record: CLI options or one JSON line (values as given). */
export type RawInput = Record<string, unknown>;

export const PLAN_ACTIONS = ['OPEN_PROPOSED', 'FULL_CLOSE_PROPOSED', 'PARTIAL_75', 'PARTIAL_50', 'PARTIAL_25', 'UPDATE_SL', 'HOLD'];
export const PLAN_DECISIONS = ['EXECUTE', 'SKIP', 'BLOCKED', 'ERROR'];

function text(input: RawInput, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new UsageError(`${name} must be a string or number`);
  }
  return undefined;
}

function decimal(input: RawInput, label: string, names: string[], range?: [number, number]): string | undefined {
  const raw = text(input, ...names);
  if (raw === undefined) return undefined;
  const value = parseDecimal(raw);
  if (value === undefined) throw new UsageError(`${label} must be a plain decimal number, got ${JSON.stringify(raw)}`);
  if (range && (value < range[0] || value > range[1])) throw new UsageError(`${label} must be from ${range[0]} to ${range[1]}, got ${raw}`);
  return raw;
}

function required<T>(value: T | undefined, label: string): T {
  if (value === undefined || value === '') throw new UsageError(`${label} is required`);
  return value;
}

function symbolOf(input: RawInput): string {
  const symbol = required(text(input, 'symbol'), 'symbol');
  if (!SYMBOL_PATTERN.test(symbol)) throw new UsageError(`symbol must match [A-Za-z0-9._-]{1,40}, got ${JSON.stringify(symbol)}`);
  return symbol;
}

/** `now` → the current epoch second; otherwise a plain decimal (integer or fractional seconds). */
export function timestampOf(raw: string | undefined, nowMs: number): string {
  if (raw === undefined || raw === 'now') return String(Math.floor(nowMs / 1000));
  const value = parseDecimal(raw);
  if (value === undefined || value < 0) throw new UsageError(`ts must be "now" or epoch seconds, got ${JSON.stringify(raw)}`);
  return raw;
}

function ttlOf(input: RawInput, fallback: number): number {
  const raw = text(input, 'ttl');
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1) throw new UsageError(`ttl must be a whole number of seconds above 0, got ${JSON.stringify(raw)}`);
  return value;
}

/** Extra raw fields (`fields` object, or `--field k=v` pairs) written verbatim, unvalidated. */
function extraFields(input: RawInput): Record<string, string> {
  const extra = input['fields'];
  if (extra === undefined || extra === null) return {};
  if (typeof extra !== 'object' || Array.isArray(extra)) throw new UsageError('fields must be an object of field → string');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(extra as Record<string, unknown>)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function newPlanId(): string {
  return randomBytes(8).toString('hex');
}

/** Turns one input (a JSON line or the CLI options) into a record, or throws a `UsageError`. */
export function toRecord(kind: string, input: RawInput, nowMs: number): InjectRecord {
  switch (kind) {
    case 'efficiency': {
      const symbol = symbolOf(input);
      const fields = {
        efficiency_score: required(decimal(input, 'score', ['score', 'efficiency_score'], [0, 1]), 'score'),
        confidence: required(decimal(input, 'confidence', ['confidence'], [0, 1]), 'confidence'),
        ts: timestampOf(text(input, 'ts'), nowMs),
        ...extraFields(input),
      };
      return { kind, symbol, fields, ttlSec: ttlOf(input, UPSTREAM_TTL.efficiency) };
    }
    case 'target': {
      const symbol = symbolOf(input);
      const fields: Record<string, string> = {
        target_usd: required(decimal(input, 'usd', ['usd', 'target_usd']), 'usd'),
        weight: decimal(input, 'weight', ['weight']) ?? '0.0',
        confidence: decimal(input, 'confidence', ['confidence'], [0, 1]) ?? '0.8',
        timestamp: timestampOf(text(input, 'ts', 'timestamp'), nowMs),
        mode: text(input, 'mode') ?? 'live',
        ...extraFields(input),
      };
      return { kind, symbol, fields, ttlSec: ttlOf(input, UPSTREAM_TTL.target) };
    }
    case 'plan': {
      const symbol = symbolOf(input);
      const planId = text(input, 'plan_id', 'plan-id', 'planId') ?? newPlanId();
      const action = required(text(input, 'action'), 'action');
      const decision = required(text(input, 'decision'), 'decision');
      const fields: Record<string, string> = {
        plan_id: planId,
        symbol,
        action,
        decision,
        kill_score: decimal(input, 'kill_score', ['kill_score', 'kill-score'], [0, 1]) ?? '0.0',
        side: text(input, 'side') ?? 'BUY',
        qty: decimal(input, 'qty', ['qty']) ?? '',
        price: decimal(input, 'price', ['price']) ?? '',
        timestamp: timestampOf(text(input, 'ts', 'timestamp'), nowMs),
        ...extraFields(input),
      };
      return { kind, planId, symbol, fields };
    }
    case 'kill': {
      const raw = text(input, 'value', 'state', 'on');
      const on = raw === 'on' || raw === 'true' || raw === '1';
      if (!on && raw !== 'off' && raw !== 'false' && raw !== '0') throw new UsageError(`kill takes on or off, got ${JSON.stringify(raw)}`);
      return { kind, on };
    }
    default:
      throw new UsageError(`kind must be efficiency, target, plan or kill, got ${JSON.stringify(kind)}`);
  }
}

/** Parses a JSON-lines document: every line checked first; blank lines and `#` comments skipped. */
export function parseJsonLines(content: string, nowMs: number): { records: InjectRecord[]; errors: string[] } {
  const records: InjectRecord[] = [];
  const errors: string[] = [];
  content.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    try {
      let parsed: unknown;
      try {
        parsed = JSON.parse(trimmed);
      } catch (error) {
        throw new UsageError(`not JSON: ${(error as Error).message}`);
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError('not a JSON object');
      const input = parsed as RawInput;
      records.push(toRecord(String(input['kind']), input, nowMs));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      errors.push(`line ${index + 1}: ${error.message}`);
    }
  });
  return { records, errors };
}

/** One line describing a record as written. */
export function describeRecord(record: InjectRecord, streamId?: string): string {
  switch (record.kind) {
    case 'efficiency':
      return `efficiency ${record.symbol} score=${record.fields['efficiency_score']} confidence=${record.fields['confidence']} ts=${record.fields['ts']} (EX ${record.ttlSec})`;
    case 'target':
      return `target ${record.symbol} target_usd=${record.fields['target_usd']} timestamp=${record.fields['timestamp']} (EX ${record.ttlSec})`;
    case 'plan':
      return `plan ${record.planId} ${record.symbol} ${record.fields['action']} ${record.fields['decision']}${streamId ? ` -> ${streamId}` : ''}`;
    case 'kill':
      return `kill switch ${record.on ? `ON (${KILL_SWITCH_KEY} = "1")` : `OFF (${KILL_SWITCH_KEY} deleted)`}`;
  }
}
