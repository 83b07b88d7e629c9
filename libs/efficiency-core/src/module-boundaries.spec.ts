import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Proves the lint rules that keep efficiency-core pure actually bite: ESLint lints fixture texts
 * as if they were files of this library (tools/scripts/lint-texts.cjs, in a child process).
 */
const LIB = join(__dirname, '..');

const LINT_TEXTS = join(LIB, '..', '..', 'tools', 'scripts', 'lint-texts.cjs');

interface LintMessage {
  ruleId: string | null;
  severity: number;
  message: string;
}

function lint(codes: string[]): LintMessage[][] {
  const stdout = execFileSync(process.execPath, [LINT_TEXTS, JSON.stringify({ cwd: LIB, filePath: join(LIB, 'src', '__fixture__.ts'), codes })], {
    cwd: LIB,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as LintMessage[][];
}

describe('module boundaries of efficiency-core', () => {
  const fixtures = {
    fs: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    bareFs: "import { readFileSync } from 'fs';\nexport const x = readFileSync;\n",
    ioredis: "import Redis from 'ioredis';\nexport const x = Redis;\n",
    streams: "import * as streams from '@quantum/redis-streams';\nexport const x = streams;\n",
    clean: "import { parseDecimal } from './decimal';\nexport const x = parseDecimal('1');\n",
  };
  let results: Record<keyof typeof fixtures, LintMessage[]>;

  beforeAll(() => {
    const keys = Object.keys(fixtures) as (keyof typeof fixtures)[];
    const out = lint(keys.map((k) => fixtures[k]));
    results = Object.fromEntries(keys.map((k, i) => [k, out[i]])) as typeof results;
  }, 60_000);

  it.each(['fs', 'bareFs', 'ioredis', 'streams'] as const)('refuses an import of %s', (key) => {
    const errors = results[key].filter((m) => m.severity === 2);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.map((m) => m.ruleId)).toEqual(expect.arrayContaining([expect.stringMatching(/^(no-restricted-imports|@nx\/enforce-module-boundaries)$/)]));
  });

  it('accepts a clean relative import', () => {
    expect(results.clean).toEqual([]);
  });
});
