import { parseDecimal } from './decimal';

export type TargetHash = Readonly<Record<string, string>>;

export type TargetParse =
  | { readonly ok: true; readonly baseTarget: number }
  | { readonly ok: false; readonly problem: string };

/**
 * Reads `target_usd` from an allocation target hash (contract §2.1): it must be present, a plain
 * finite decimal and not negative (0 is allowed).
 */
export function parseTarget(hash: TargetHash | null | undefined): TargetParse {
  const raw = hash == null ? undefined : hash['target_usd'];
  if (raw === undefined) return { ok: false, problem: 'target_usd is missing' };
  if (typeof raw !== 'string') return { ok: false, problem: 'target_usd is not a string' };
  const value = parseDecimal(raw);
  if (value === undefined) return { ok: false, problem: `target_usd ${JSON.stringify(raw)} is not a plain finite decimal` };
  if (value < 0) return { ok: false, problem: `target_usd ${JSON.stringify(raw)} is negative` };
  return { ok: true, baseTarget: value };
}
