import { resolveVariables } from '../catalogue/resolve';
import type { ConfigProblem, ServiceConfigSpec, VariableSchema, VariableValues } from '../catalogue/types';
import { ConfigError } from './config-error';
import { envFilePath, readEnvFile } from './env-file';

export interface LoadServiceConfigOptions {
  /** Command-line arguments after the script (`process.argv.slice(2)`); only `--env-file` is read. */
  readonly argv?: readonly string[];
  /** The process environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Reads the env file (tests); default `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: (path: string) => string;
}

export interface LoadedServiceConfig<S extends VariableSchema> {
  readonly values: VariableValues<S>;
  /** The env file read, if any. */
  readonly envFile: string | undefined;
  /** Variables of the env file this service does not know (e.g. the other service's); worth a warning. */
  readonly unknownFileVariables: string[];
}

/**
 * Loads and validates a service's configuration. Sources, highest first: the process
 * environment, the env file (`--env-file <path>` or `ENV_FILE`), the catalogue default. The
 * values are resolved by the catalogue (`resolveVariables`: each variable's strict `parse`, then
 * the relations). Collects every problem (unreadable file, bad lines with their line numbers,
 * each bad variable, with the file line when its value came from the file, broken relations) and
 * throws them together as a `ConfigError`.
 */
export function loadServiceConfig<S extends VariableSchema>(spec: ServiceConfigSpec<S>, options: LoadServiceConfigOptions = {}): LoadedServiceConfig<S> {
  const env = options.env ?? process.env;
  const problems: ConfigProblem[] = [];
  const path = envFilePath(options.argv ?? [], env);
  let fileValues: Record<string, string> = {};
  let fileLines: Record<string, number> = {};
  if (path !== undefined) {
    const parsed = path === '' ? { values: {}, lines: {}, problems: [{ line: 0, message: 'no path given after --env-file' }] } : readEnvFile(path, options.readFile);
    fileValues = parsed.values;
    fileLines = parsed.lines;
    for (const problem of parsed.problems) {
      const where = problem.line > 0 ? `${path}:${problem.line}` : path;
      problems.push({ variable: 'ENV_FILE', value: where, allowed: 'KEY=VALUE lines, # comments on their own lines', message: `env file ${where}: ${problem.message}` });
    }
  }
  const known = (name: string) => Object.prototype.hasOwnProperty.call(spec.schema, name);
  const merged: Record<string, string> = {};
  for (const source of [fileValues, env]) {
    for (const [name, value] of Object.entries(source)) if (value !== undefined && known(name)) merged[name] = value;
  }

  const resolved = resolveVariables(spec, merged);
  if (!resolved.ok) {
    // A problem of one variable whose value came from the env file names the file's line.
    const fromFile = (name: string) => known(name) && env[name] === undefined && fileLines[name] !== undefined;
    for (const problem of resolved.problems) {
      problems.push(fromFile(problem.variable) ? { ...problem, message: `${problem.message} (env file ${path}:${fileLines[problem.variable]})` } : problem);
    }
  }
  if (problems.length > 0 || !resolved.ok) throw new ConfigError(problems);
  return {
    values: resolved.values,
    envFile: path,
    unknownFileVariables: Object.keys(fileValues).filter((name) => !known(name)),
  };
}
