import convict from 'convict';
import type { ServiceConfigSpec, VariableDefinition, VariableSchema } from '@quantum/efficiency-core';

const formatNames = new WeakMap<VariableDefinition<unknown>, string>();
let formatCount = 0;

/**
 * The strict convict format of one catalogue variable, registered once per definition.
 * `coerce` turns the raw text into the typed value with the definition's own `parse` (and
 * leaves text it refuses unchanged); `validate` refuses any text still unparsed. convict's
 * built-in formats are never used: they accept `0.65 # note`, `""` and `no`.
 */
export function strictFormat(definition: VariableDefinition<unknown>): string {
  const known = formatNames.get(definition);
  if (known) return known;
  formatCount += 1;
  const name = `quantum-strict:${definition.name}#${formatCount}`;
  convict.addFormat({
    name,
    coerce: (raw: unknown) => {
      try {
        return definition.parse(String(raw));
      } catch {
        return String(raw);
      }
    },
    validate: (value: unknown) => {
      // Typed values came from coerce or are catalogue defaults (checked by the catalogue).
      if (typeof value === 'string') definition.parse(value);
    },
  });
  formatNames.set(definition, name);
  return name;
}

/** A convict schema with one entry per variable: env name, doc (description and allowed), default, strict format. */
export function convictSchema<S extends VariableSchema>(spec: ServiceConfigSpec<S>): convict.Schema<Record<string, unknown>> {
  const schema: Record<string, convict.SchemaObj> = {};
  for (const [key, definition] of Object.entries(spec.schema)) {
    schema[key] = {
      doc: `${definition.description} (${definition.allowed})`,
      format: strictFormat(definition),
      default: definition.defaultValue ?? null,
      nullable: definition.defaultValue === undefined,
      env: definition.name,
      sensitive: definition.secret,
    };
  }
  return schema as convict.Schema<Record<string, unknown>>;
}
