import { formatShortest, isPlainInteger, parseDecimal } from '@quantum/efficiency-core';
import { InvalidVariableError } from './errors';
import { VariableDefinition } from './types';

interface CommonOptions {
  readonly name: string;
  readonly description: string;
  /** Overrides the generated `allowed` text. */
  readonly allowed?: string;
}

export interface NumberOptions extends CommonOptions {
  readonly default: number;
  /** How the default is written in an env file; generated when omitted. */
  readonly defaultText?: string;
  readonly min?: number;
  readonly minExclusive?: number;
  readonly max?: number;
  readonly maxExclusive?: number;
}

export interface StringOptions extends CommonOptions {
  readonly pattern?: RegExp;
  readonly secret?: boolean;
}

export interface EnumOptions<V extends string> extends CommonOptions {
  readonly values: readonly V[];
  readonly default: V;
}

const INLINE_COMMENT = /\s#/;

/** Checks shared by every kind: empty, inline comment, surrounding whitespace. */
function precheck(raw: string, name: string, allowed: string, secret: boolean, defaultText: string): void {
  if (raw === '') {
    throw new InvalidVariableError(name, raw, `the value is empty (remove the variable to use the default ${defaultText})`, allowed, secret);
  }
  if (!secret && INLINE_COMMENT.test(raw)) {
    throw new InvalidVariableError(name, raw, 'an inline comment after the value is not allowed (put comments on their own line)', allowed, secret);
  }
  if (raw.trim() !== raw) {
    throw new InvalidVariableError(name, raw, 'leading or trailing whitespace is not allowed', allowed, secret);
  }
}

function rangeText(kind: string, o: NumberOptions): string {
  if (o.min !== undefined && o.max !== undefined) return `${kind} from ${o.min} to ${o.max}`;
  const parts: string[] = [];
  if (o.min !== undefined) parts.push(`of ${o.min} or more`);
  if (o.minExclusive !== undefined) parts.push(`above ${o.minExclusive}`);
  if (o.max !== undefined) parts.push(`at most ${o.max}`);
  if (o.maxExclusive !== undefined) parts.push(`below ${o.maxExclusive}`);
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : kind;
}

function rangeProblem(v: number, o: NumberOptions): string | undefined {
  if (o.min !== undefined && v < o.min) return `it is below ${o.min}`;
  if (o.minExclusive !== undefined && !(v > o.minExclusive)) return `it must be above ${o.minExclusive}`;
  if (o.max !== undefined && v > o.max) return `it is above ${o.max}`;
  if (o.maxExclusive !== undefined && !(v < o.maxExclusive)) return `it must be below ${o.maxExclusive}`;
  return undefined;
}

interface Definition<T> {
  readonly defaultValue: T | undefined;
  readonly defaultText: string;
  readonly allowed: string;
  readonly secret?: boolean;
  /** `''` means "not set" (undefined) instead of being refused: optional variables. */
  readonly emptyMeansUnset?: boolean;
}

/**
 * A variable whose raw text passes the checks every kind shares (precheck) and then `convert`,
 * which returns the value or calls `refuse(reason)`. The default must pass its own rules: a
 * catalogue bug, caught at load time.
 */
function defineVariable<T>(o: CommonOptions, d: Definition<T>, convert: (raw: string, refuse: (reason: string) => never) => T): VariableDefinition<T> {
  const secret = d.secret ?? false;
  const def: VariableDefinition<T> = {
    name: o.name,
    description: o.description,
    defaultValue: d.defaultValue,
    defaultText: d.defaultText,
    allowed: d.allowed,
    secret,
    parse(raw: string): T {
      if (raw === '' && d.emptyMeansUnset) return undefined as T;
      precheck(raw, o.name, d.allowed, secret, d.defaultText);
      return convert(raw, (reason) => {
        throw new InvalidVariableError(o.name, raw, reason, d.allowed, secret);
      });
    },
  };
  if (def.defaultValue !== undefined) def.parse(def.defaultText);
  return def;
}

/** A plain decimal (see parseDecimal) within the given bounds. */
export function decimalVariable(o: NumberOptions): VariableDefinition<number> {
  const allowed = o.allowed ?? rangeText('a decimal', o);
  return defineVariable(o, { defaultValue: o.default, defaultText: o.defaultText ?? formatShortest(o.default), allowed }, (raw, refuse) => {
    const v = parseDecimal(raw);
    if (v === undefined) return refuse('it is not a plain decimal number');
    const problem = rangeProblem(v, o);
    return problem === undefined ? v : refuse(problem);
  });
}

/** Digits only (optional sign; no point, no exponent) within the given bounds. */
export function integerVariable(o: NumberOptions): VariableDefinition<number> {
  const allowed = o.allowed ?? rangeText('a whole number', o);
  return defineVariable(o, { defaultValue: o.default, defaultText: o.defaultText ?? String(o.default), allowed }, (raw, refuse) => {
    if (!isPlainInteger(raw)) return refuse(parseDecimal(raw) === undefined ? 'it is not a plain decimal number' : 'it is not a whole number');
    const v = Number(raw);
    if (!Number.isSafeInteger(v)) return refuse('it is too large');
    const problem = rangeProblem(v, o);
    if (problem !== undefined) return refuse(problem);
    return v === 0 ? 0 : v; // no -0
  });
}

/** Exactly `true`, `false`, `1` or `0`. */
export function booleanVariable(o: CommonOptions & { readonly default: boolean }): VariableDefinition<boolean> {
  const allowed = o.allowed ?? 'true, false, 1 or 0';
  return defineVariable(o, { defaultValue: o.default, defaultText: String(o.default), allowed }, (raw, refuse) => {
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    return refuse('it is not a boolean');
  });
}

/** One of a fixed list of words (case-sensitive). */
export function enumVariable<V extends string>(o: EnumOptions<V>): VariableDefinition<V> {
  const allowed = o.allowed ?? `one of ${o.values.join(', ')}`;
  return defineVariable(o, { defaultValue: o.default, defaultText: o.default, allowed }, (raw, refuse) =>
    (o.values as readonly string[]).includes(raw) ? (raw as V) : refuse('it is not one of the allowed words'),
  );
}

/**
 * Free text, optionally matching `pattern`. With a default, `''` is refused; without one the
 * variable is optional and `''` means "not set" (undefined).
 */
export function stringVariable(o: StringOptions & { readonly default: string }): VariableDefinition<string>;
export function stringVariable(o: StringOptions & { readonly default?: undefined }): VariableDefinition<string | undefined>;
export function stringVariable(o: StringOptions & { readonly default?: string }): VariableDefinition<string | undefined> {
  const allowed = o.allowed ?? (o.pattern ? `text matching ${o.pattern.source}` : 'any text');
  const definition = { defaultValue: o.default, defaultText: o.default ?? '', allowed, secret: o.secret ?? false, emptyMeansUnset: o.default === undefined };
  return defineVariable<string | undefined>(o, definition, (raw, refuse) =>
    o.pattern && !o.pattern.test(raw) ? refuse('it does not have the expected form') : raw,
  );
}
