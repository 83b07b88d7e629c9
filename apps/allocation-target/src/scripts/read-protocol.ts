import type { EfficiencyHash, TargetHash } from '@quantum/efficiency-core';
import { luaScript, type ScriptCall } from '@quantum/redis-streams';
import readLua from './read.lua';

/** The read script (read.lua): arguments from {@link readCall}, reply decoded by {@link parseReadReply}. */
export const READ_SCRIPT = luaScript('allocation-read', readLua);

/** One symbol's inputs: the target hash (only `target_usd` is read) and the efficiency hash. */
export interface SymbolInputs {
  /** `null` when the target key could not be read as a hash (e.g. WRONGTYPE); see `targetError`. */
  readonly target: TargetHash | null;
  readonly targetError: string | undefined;
  /** `null`: no efficiency hash. A key of the wrong type reads as a non-hash (invalid_eff). */
  readonly efficiency: EfficiencyHash | null;
}

/** Stands for an efficiency key that is there but not usable as such (reads as invalid_eff). */
const NOT_A_HASH: EfficiencyHash = Object.freeze({ efficiency_score: '', confidence: '', ts: '' });
const NO_TARGET: TargetHash = Object.freeze({});

/** The call reading these symbols' targets and efficiency hashes. */
export function readCall(symbols: readonly string[], targetKeyPrefix: string, efficiencyKeyPrefix: string): ScriptCall {
  return { args: [targetKeyPrefix, efficiencyKeyPrefix, symbols.join(' ')] };
}

/** The inputs of `n` symbols from the script's reply, in either form. */
export function parseReadReply(reply: readonly unknown[], n: number): SymbolInputs[] {
  if (typeof reply[0] !== 'string') return decodeRead(reply.slice(1), n);
  return decodeFastRead(reply, n);
}

/** Decodes the fast form of the reply (`{data, kind, index, text, ...}`). */
export function decodeFastRead(reply: readonly unknown[], n: number): SymbolInputs[] {
  const data = reply[0] as string;
  let targetErrors: Map<number, string> | undefined;
  let effNotes: Map<number, string> | undefined;
  for (let j = 1; j < reply.length; j += 3) {
    const index = Number(reply[j + 1]) - 1;
    const text = String(reply[j + 2]);
    if (Number(reply[j]) === 1) (targetErrors ??= new Map()).set(index, text);
    else (effNotes ??= new Map()).set(index, text);
  }
  const out: SymbolInputs[] = new Array<SymbolInputs>(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    // 4 fields, each ended by U+001F except the very last one; U+001E alone = absent
    let q = data.indexOf('\x1f', p);
    const t = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    const score = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    const confidence = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;
    q = data.indexOf('\x1f', p);
    if (q < 0) q = data.length;
    const ts = q === p + 1 && data.charCodeAt(p) === 30 ? undefined : data.slice(p, q);
    p = q + 1;

    const targetError = targetErrors?.get(i);
    const target: TargetHash | null = targetError !== undefined ? null : t === undefined ? NO_TARGET : { target_usd: t };
    let efficiency: EfficiencyHash | null;
    if (effNotes !== undefined && effNotes.has(i)) {
      efficiency = NOT_A_HASH; // WRONGTYPE, or a hash with none of the fields: invalid_eff
    } else if (score === undefined && confidence === undefined && ts === undefined) {
      efficiency = null;
    } else if (score !== undefined && confidence !== undefined && ts !== undefined) {
      efficiency = { efficiency_score: score, confidence, ts };
    } else {
      const h: Record<string, string> = {};
      if (score !== undefined) h['efficiency_score'] = score;
      if (confidence !== undefined) h['confidence'] = confidence;
      if (ts !== undefined) h['ts'] = ts;
      efficiency = h;
    }
    out[i] = { target, targetError, efficiency };
  }
  return out;
}

/** Decodes the flat form of the reply (after its leading false). */
export function decodeRead(reply: readonly unknown[], n: number): SymbolInputs[] {
  // notes first: which keys failed or hold other fields only
  const base = 4 * n;
  const noteCount = Number(reply[base]);
  let targetErrors: Map<number, string> | undefined;
  let effNotes: Map<number, string> | undefined;
  for (let j = 0; j < noteCount; j += 2) {
    const index = Number(reply[base + 1 + j]) - 1; // 0-based key index
    const text = String(reply[base + 2 + j]);
    if (index < n) (targetErrors ??= new Map()).set(index, text);
    else (effNotes ??= new Map()).set(index - n, text);
  }
  const out: SymbolInputs[] = new Array<SymbolInputs>(n);
  for (let i = 0; i < n; i++) {
    const targetError = targetErrors?.get(i);
    const t = reply[i];
    const target: TargetHash | null = targetError !== undefined ? null : t == null ? NO_TARGET : { target_usd: String(t) };
    let efficiency: EfficiencyHash | null;
    const note = effNotes?.get(i);
    if (note !== undefined) {
      efficiency = NOT_A_HASH; // WRONGTYPE, or a hash with none of the fields: invalid_eff
    } else {
      const o = n + 3 * i;
      const score = reply[o];
      const confidence = reply[o + 1];
      const ts = reply[o + 2];
      if (score == null && confidence == null && ts == null) efficiency = null;
      else {
        const h: Record<string, string> = {};
        if (score != null) h['efficiency_score'] = String(score);
        if (confidence != null) h['confidence'] = String(confidence);
        if (ts != null) h['ts'] = String(ts);
        efficiency = h;
      }
    }
    out[i] = { target, targetError, efficiency };
  }
  return out;
}
