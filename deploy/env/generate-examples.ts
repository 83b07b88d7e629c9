// Writes deploy/env/<service>.env.example from the config catalogue in
// libs/config/src/catalogue, so the examples list exactly the variables the services read.
//
//   npx tsx --conditions=@quantum/source deploy/env/generate-examples.ts          # rewrite
//   npx tsx --conditions=@quantum/source deploy/env/generate-examples.ts --check  # exit 1 if stale
//
// Format (kept regular for tools): for every variable, in catalogue order,
//   # <description>. Allowed: <allowed>.
//   NAME=<default>          (or `# NAME=` when the variable is optional and has no default)
// Comments sit on their own lines only: the services' env-file loader refuses inline comments.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALLOCATION_TARGET_CONFIG, GOVERNOR_CONFIG } from '@quantum/config';

interface Definition {
  name: string;
  description: string;
  defaultValue: unknown;
  defaultText: string;
  allowed: string;
  secret: boolean;
}
interface Spec {
  schema: Readonly<Record<string, Definition>>;
  relations: readonly { description: string }[];
}

const sentence = (text: string): string => (/[.!?]$/.test(text) ? text : `${text}.`);

export function renderEnvExample(service: string, spec: Spec): string {
  const lines = [
    `# ${service}: every variable it reads, with its default (systemd: /etc/quantum/${service}.env).`,
    '# Generated from the config catalogue by deploy/env/generate-examples.ts; do not edit by hand.',
    '# Comments on their own lines only: a value followed by an inline comment is refused (exit 78).',
    '# Values are literal: no quotes, no ${...} expansion. Unset optional variables stay commented out.',
  ];
  for (const relation of spec.relations) lines.push(`# Also required: ${relation.description}.`);
  for (const def of Object.values(spec.schema)) {
    lines.push('');
    const secret = def.secret ? ' Secret: never logged; keep this file root-only (0600), systemd reads it before dropping privileges.' : '';
    lines.push(`# ${sentence(def.description)} Allowed: ${sentence(def.allowed)}${secret}`);
    lines.push(def.defaultValue === undefined ? `# ${def.name}=` : `${def.name}=${def.defaultText}`);
  }
  return lines.join('\n') + '\n';
}

const services: Record<string, Spec> = {
  'allocation-target': ALLOCATION_TARGET_CONFIG as unknown as Spec,
  governor: GOVERNOR_CONFIG as unknown as Spec,
};

const check = process.argv.includes('--check');
let stale = 0;
for (const [service, spec] of Object.entries(services)) {
  const file = join(__dirname, `${service}.env.example`);
  const text = renderEnvExample(service, spec);
  if (check) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      stale += 1;
      console.error(`${file} is out of date with the config catalogue; run deploy/env/generate-examples.ts`);
    }
  } else {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
