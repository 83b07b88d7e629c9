import convict from 'convict';
import {
  InvalidVariableError,
  SECRET_MASK,
  type ConfigProblem,
  type ServiceConfigSpec,
  type VariableSchema,
  type VariableValues,
} from '@quantum/efficiency-core';
import { ConfigError } from './config-error';
import { convictSchema } from './convict-schema';
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
 * Loads and validates a service's configuration with convict. Sources, highest first: the
 * process environment, the env file (`--env-file <path>` or `ENV_FILE`), the catalogue default.
 * Every value goes through the catalogue definition's strict `parse`, then the relations are
 * checked. Collects every problem (unreadable file, bad lines with their line numbers, each bad
 * variable, broken relations) and throws them together as a `ConfigError`.
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

  const config = convict(convictSchema(spec), { env: merged, args: [] });
  let invalid = false;
  try {
    config.validate({ allowed: 'strict' });
  } catch {
    invalid = true;
  }
  const failed = new Set<string>();
  if (invalid) {
    // convict reports one combined message; take each variable's own problem from its parser.
    for (const name of Object.keys(spec.schema)) {
      const raw = merged[name];
      if (raw === undefined) continue;
      try {
        spec.schema[name]?.parse(raw);
      } catch (error) {
        if (!(error instanceof InvalidVariableError)) throw error;
        failed.add(name);
        const fromFile = env[name] === undefined && fileLines[name] !== undefined ? ` (env file ${path}:${fileLines[name]})` : '';
        problems.push({ variable: name, value: error.value, allowed: error.allowed, message: `${error.message}${fromFile}` });
      }
    }
  }
  const values: Record<string, unknown> = {};
  for (const name of Object.keys(spec.schema)) {
    const value = config.get(name as never) as unknown;
    values[name] = value === null ? undefined : value;
  }
  problems.push(...relationProblems(spec, values as VariableValues<S>, merged, failed));
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    values: values as VariableValues<S>,
    envFile: path,
    unknownFileVariables: Object.keys(fileValues).filter((name) => !known(name)),
  };
}

function relationProblems<S extends VariableSchema>(
  spec: ServiceConfigSpec<S>,
  values: VariableValues<S>,
  raw: Readonly<Record<string, string>>,
  failed: ReadonlySet<string>,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const relation of spec.relations) {
    if (relation.variables.some((name) => failed.has(name)) || relation.check(values)) continue;
    const shown = relation.variables.map((name) => {
      const definition = spec.schema[name];
      const value = definition?.secret ? SECRET_MASK : raw[name] ?? definition?.defaultText ?? '';
      return { name, value };
    });
    problems.push({
      variable: relation.variables.join(', '),
      value: shown.map((s) => `${s.name}=${s.value}`).join(', '),
      allowed: relation.description,
      message: `${shown.map((s) => `${s.name}=${JSON.stringify(s.value)}`).join(' and ')} are not allowed together; allowed: ${relation.description}`,
    });
  }
  return problems;
}
