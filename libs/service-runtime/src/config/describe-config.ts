import { SECRET_MASK, type ServiceConfigSpec, type VariableSchema, type VariableValues } from '@quantum/efficiency-core';
import { redactUrlCredentials } from '../logging/redact';

/**
 * `--help` text: every variable with its description, default and what is allowed, then the
 * relations, then where values come from.
 */
export function describeConfig<S extends VariableSchema>(spec: ServiceConfigSpec<S>): string {
  const lines: string[] = ['Environment variables:', ''];
  for (const definition of Object.values(spec.schema)) {
    const fallback = definition.defaultValue === undefined ? 'none (optional)' : definition.secret ? SECRET_MASK : definition.defaultText;
    lines.push(`  ${definition.name}${definition.secret ? ' (secret)' : ''}`);
    lines.push(`      ${definition.description}`);
    lines.push(`      default: ${fallback}; allowed: ${definition.allowed}`);
  }
  if (spec.relations.length > 0) {
    lines.push('', 'Rules between variables:');
    for (const relation of spec.relations) lines.push(`  ${relation.description}`);
  }
  lines.push(
    '',
    'Values come from the environment, else from the env file (--env-file <path> or ENV_FILE:',
    'KEY=VALUE lines, comments on their own lines), else the default. A bad value stops the',
    'service with exit code 78.',
  );
  return lines.join('\n');
}

/** The values for the start log: secrets as `***`, credentials in URLs masked, unset optional values as null. */
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
