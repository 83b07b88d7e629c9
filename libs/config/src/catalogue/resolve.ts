import { InvalidVariableError, SECRET_MASK } from './errors';
import { ConfigProblem, ResolveResult, ServiceConfigSpec, VariableRelation, VariableSchema, VariableValues } from './types';

/** Helps TypeScript infer the schema type of a spec. */
export function defineServiceConfig<S extends VariableSchema>(schema: S, relations: readonly VariableRelation<S>[] = []): ServiceConfigSpec<S> {
  return { schema, relations };
}

/**
 * Validates every variable of the spec (absent or undefined → default; present → parse), then
 * the relations between variables that parsed. Collects all problems; never throws for bad
 * values. Names in `env` that the spec does not know are ignored (the environment holds much
 * more); see `unknownVariables` to refuse them.
 */
export function resolveVariables<S extends VariableSchema>(
  spec: ServiceConfigSpec<S>,
  env: Readonly<Record<string, string | undefined>>,
): ResolveResult<S> {
  const values: Record<string, unknown> = {};
  const failed = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const name of Object.keys(spec.schema)) {
    const def = spec.schema[name];
    const raw = Object.prototype.hasOwnProperty.call(env, name) ? env[name] : undefined;
    if (raw === undefined) {
      values[name] = def.defaultValue;
      continue;
    }
    try {
      values[name] = def.parse(raw);
    } catch (err) {
      if (!(err instanceof InvalidVariableError)) throw err;
      failed.add(name);
      problems.push({ variable: name, value: err.value, allowed: err.allowed, message: err.message });
    }
  }
  for (const relation of spec.relations) {
    if (relation.variables.some((n) => failed.has(n))) continue;
    if (relation.check(values as VariableValues<S>)) continue;
    const shown = relation.variables.map((n) => {
      const def = spec.schema[n];
      const raw = env[n];
      return { name: n, value: def.secret ? SECRET_MASK : raw === undefined ? def.defaultText : raw };
    });
    const value = shown.map((s) => `${s.name}=${s.value}`).join(', ');
    const together = shown.map((s) => `${s.name}=${JSON.stringify(s.value)}`).join(' and ');
    problems.push({
      variable: relation.variables.join(', '),
      value,
      allowed: relation.description,
      message: `${together} are not allowed together; allowed: ${relation.description}`,
    });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, values: values as VariableValues<S> };
}

/** One line, secrets masked (problems never carry a secret value). */
export function formatConfigProblem(p: ConfigProblem): string {
  return p.message;
}

/** Names in `env` that none of the specs defines, in the order given. */
export function unknownVariables(specs: readonly { readonly schema: VariableSchema }[], env: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(env).filter((name) => !specs.some((s) => Object.prototype.hasOwnProperty.call(s.schema, name)));
}
