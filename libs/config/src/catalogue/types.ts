/** The agreed config catalogue interface (docs/config-catalogue-api.md). */
export interface VariableDefinition<T> {
  readonly name: string;
  /** One line, for --help and env-file comments. */
  readonly description: string;
  /** undefined: optional, no default. */
  readonly defaultValue: T | undefined;
  /** The default as written in an env file ('' when none). */
  readonly defaultText: string;
  /** What is allowed, e.g. 'a decimal from 0 to 1'. */
  readonly allowed: string;
  /** The value is never logged or printed. */
  readonly secret: boolean;
  /** Throws InvalidVariableError (message names the variable, the value and what is allowed). */
  parse(raw: string): T;
}

export type VariableSchema = Readonly<Record<string, VariableDefinition<unknown>>>;

export type VariableValues<S extends VariableSchema> = { [K in keyof S]: S[K] extends VariableDefinition<infer T> ? T : never };

export interface ConfigProblem {
  /** The variable's name (for a broken relation: the names joined with ', '). */
  variable: string;
  /** The offending value as given, or '***' for a secret. */
  value: string;
  allowed: string;
  /** The whole one-line message, secrets masked. */
  message: string;
}

export interface VariableRelation<S extends VariableSchema> {
  readonly variables: readonly (keyof S & string)[];
  readonly description: string;
  check(values: VariableValues<S>): boolean;
}

export interface ServiceConfigSpec<S extends VariableSchema> {
  readonly schema: S;
  readonly relations: readonly VariableRelation<S>[];
}

export type ResolveResult<S extends VariableSchema> = { ok: true; values: VariableValues<S> } | { ok: false; problems: ConfigProblem[] };
