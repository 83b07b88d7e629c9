import { parseDecimal } from './decimal';

// Hot path: keep a direct reference. Loaders that wrap each module's exports in getters (tsx,
// used by `npm run ctl` and `npm run bench`) would otherwise pay a getter call per use.
const parse = parseDecimal;

/** Why a reading is (not) usable; contract §2. */
export type EfficiencyReason = 'ok' | 'missing_eff' | 'invalid_eff' | 'stale_eff' | 'low_conf' | 'redis_error';

export const EFFICIENCY_REASONS: readonly EfficiencyReason[] = ['ok', 'missing_eff', 'invalid_eff', 'stale_eff', 'low_conf', 'redis_error'];

/** Field names of the efficiency hash written by the scorer (P3.1). */
export const EFFICIENCY_FIELDS = { score: 'efficiency_score', confidence: 'confidence', ts: 'ts' } as const;

export interface EfficiencyReading {
  readonly reason: EfficiencyReason;
  /** Only a usable (`ok`) reading changes anything. */
  readonly usable: boolean;
  /** True only for `stale_eff`. */
  readonly stale: boolean;
  /** Filled when the fields parsed and were valid (`ok`, `stale_eff`, `low_conf`), else undefined. */
  readonly score: number | undefined;
  readonly confidence: number | undefined;
  readonly ts: number | undefined;
}

export interface EfficiencyGates {
  /** Age limit in seconds: `now - ts > staleSec` is stale (P31_STALE_SEC / P31_EFF_TTL_SEC). */
  readonly staleSec: number;
  /** `confidence < minConfidence` is low (P31_MIN_CONF). */
  readonly minConfidence: number;
  /** `ts - now > maxFutureSkewSec` is invalid (P31_MAX_FUTURE_SKEW_SEC). */
  readonly maxFutureSkewSec: number;
}

export type EfficiencyHash = Readonly<Record<string, string>>;

/** Every reading has this one shape (same property order), which keeps the hot paths monomorphic. */
function makeReading(reason: EfficiencyReason, usable: boolean, stale: boolean, score: number | undefined, confidence: number | undefined, ts: number | undefined): EfficiencyReading {
  return { reason, usable, stale, score, confidence, ts };
}

// Shared (not frozen: a frozen object gets another hidden class); typed read-only.
const MISSING = makeReading('missing_eff', false, false, undefined, undefined, undefined);
const INVALID = makeReading('invalid_eff', false, false, undefined, undefined, undefined);
const REDIS_ERROR = makeReading('redis_error', false, false, undefined, undefined, undefined);

/** The reading to use when Redis failed while reading the efficiency hash (rule 6). */
export function redisErrorReading(): EfficiencyReading {
  return REDIS_ERROR;
}

/** Build a reading from already parsed, valid numbers (rules 3–5). */
export function gateEfficiency(score: number, confidence: number, ts: number, now: number, gates: EfficiencyGates): EfficiencyReading {
  if (now - ts > gates.staleSec) {
    return makeReading('stale_eff', false, true, score, confidence, ts);
  }
  if (confidence < gates.minConfidence) {
    return makeReading('low_conf', false, false, score, confidence, ts);
  }
  return makeReading('ok', true, false, score, confidence, ts);
}

/**
 * Contract §2, rules 1–5, in order:
 * 1. no hash or an empty one → `missing_eff`;
 * 2. a field absent or not a plain finite decimal, score/confidence outside [0, 1], or `ts` more
 *    than `maxFutureSkewSec` ahead of `now` → `invalid_eff`;
 * 3. `now - ts > staleSec` → `stale_eff`; 4. `confidence < minConfidence` → `low_conf`; 5. `ok`.
 */
export function readEfficiency(hash: EfficiencyHash | null | undefined, now: number, gates: EfficiencyGates): EfficiencyReading {
  if (hash == null) return MISSING;
  const rawScore = hash['efficiency_score'];
  const rawConf = hash['confidence'];
  const rawTs = hash['ts'];
  if (rawScore === undefined || rawConf === undefined || rawTs === undefined) {
    return isEmpty(hash) ? MISSING : INVALID;
  }
  if (typeof rawScore !== 'string' || typeof rawConf !== 'string' || typeof rawTs !== 'string') return INVALID;
  const score = parse(rawScore);
  if (score === undefined || !(score >= 0 && score <= 1)) return INVALID;
  const confidence = parse(rawConf);
  if (confidence === undefined || !(confidence >= 0 && confidence <= 1)) return INVALID;
  const ts = parse(rawTs);
  if (ts === undefined || ts - now > gates.maxFutureSkewSec) return INVALID;
  return gateEfficiency(score, confidence, ts, now, gates);
}

function isEmpty(hash: EfficiencyHash): boolean {
  for (const key in hash) {
    if (Object.prototype.hasOwnProperty.call(hash, key)) return false;
  }
  return true;
}
