import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A command-line usage error: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends OptionSpec> {
  values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
  positionals: string[];
}

/** `parseArgs` in strict mode, with its errors turned into `UsageError`s. */
export function parseCommandArgs<O extends OptionSpec>(argv: readonly string[], options: O, allowPositionals = false): ParsedArgs<O> {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals, strict: true }) as unknown as ParsedArgs<O>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A number option: finite, within [min, max], integer when asked. */
export function numberOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  limits: { min?: number; max?: number; integer?: boolean; minExclusive?: boolean } = {},
): number {
  if (raw === undefined) return fallback;
  const value = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
  const bad =
    !Number.isFinite(value) ||
    (limits.integer === true && !Number.isInteger(value)) ||
    (limits.min !== undefined && (limits.minExclusive ? value <= limits.min : value < limits.min)) ||
    (limits.max !== undefined && value > limits.max);
  if (bad) {
    const range = [
      limits.integer ? 'an integer' : 'a number',
      limits.min !== undefined ? `${limits.minExclusive ? 'above' : 'at least'} ${limits.min}` : '',
      limits.max !== undefined ? `at most ${limits.max}` : '',
    ].filter(Boolean).join(', ');
    throw new UsageError(`--${name} must be ${range}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

/** Runs a command body: usage errors → message + hint on stderr, exit 2. */
export async function withUsage(usage: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`error: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    throw error;
  }
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}
