import { ConfigError } from './config-error';

/** Exit code of a configuration error (EX_CONFIG, sysexits.h). */
export const CONFIG_ERROR_EXIT_CODE = 78;

export interface ExitOnConfigErrorOptions {
  /** Also logs one structured `invalid configuration` record (JSON log on stdout). */
  readonly logger?: { error(message: string, meta?: Record<string, unknown>): unknown };
  readonly stderr?: { write(text: string): unknown };
  readonly exit?: (code: number) => never;
}

/**
 * For a `ConfigError`: writes every problem to stderr, one per line, and exits with 78. Call it
 * before connecting to anything, so nothing is written anywhere with a bad configuration.
 * Any other error is rethrown.
 */
export function exitOnConfigError(error: unknown, options: ExitOnConfigErrorOptions = {}): never {
  if (!(error instanceof ConfigError)) throw error;
  const stderr = options.stderr ?? process.stderr;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  stderr.write(`invalid configuration:\n${error.problems.map((problem) => `${problem.message}\n`).join('')}`);
  options.logger?.error('invalid configuration', { problems: error.problems.map((problem) => problem.message) });
  return exit(CONFIG_ERROR_EXIT_CODE);
}
