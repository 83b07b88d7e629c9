import { SECRET_MASK } from '../catalogue/errors';
import type { ServiceConfigSpec, VariableSchema } from '../catalogue/types';

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
