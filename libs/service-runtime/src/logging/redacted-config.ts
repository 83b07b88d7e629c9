import { SECRET_MASK, type ServiceConfigSpec, type VariableSchema, type VariableValues } from '@quantum/config';
import { redactUrlCredentials } from './redact';

/** The values for the start log (and `/config`): secrets as `***`, credentials in URLs masked, unset optional values as null. */
export function redactedConfig<S extends VariableSchema>(values: VariableValues<S>, spec: ServiceConfigSpec<S>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(spec.schema)) {
    const value = (values as Record<string, unknown>)[name];
    if (value === undefined) shown[name] = null;
    else if (definition.secret) shown[name] = SECRET_MASK;
    else shown[name] = typeof value === 'string' ? redactUrlCredentials(value) : value;
  }
  return shown;
}
