import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Proves the lint rule that keeps the catalogue pure (eslint.config.mjs of this library) bites:
 * ESLint lints fixture texts as if they were files of src/catalogue/ (tools/scripts/lint-texts.cjs,
 * in a child process).
 */
const LIB = join(__dirname, '..');

const LINT_TEXTS = join(LIB, '..', '..', 'tools', 'scripts', 'lint-texts.cjs');

describe('purity of the config catalogue', () => {
  const fixtures = [
    "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    "import { createLogger } from '@quantum/service-runtime';\nexport const x = createLogger;\n",
    "import { readEnvFile } from '../loading/env-file';\nexport const x = readEnvFile;\n",
    "import { parseDecimal } from '@quantum/efficiency-core';\nimport { PLAN_STREAM } from '../contract-names';\nexport const x = [parseDecimal, PLAN_STREAM];\n",
  ];
  let results: (string | null)[][];

  beforeAll(() => {
    const stdout = execFileSync(process.execPath, [LINT_TEXTS, JSON.stringify({ cwd: LIB, filePath: join(LIB, 'src', 'catalogue', '__fixture__.ts'), codes: fixtures })], { cwd: LIB, encoding: 'utf8' });
    const messages = JSON.parse(stdout) as { ruleId: string | null; severity: number }[][];
    results = messages.map((list) => list.filter((m) => m.severity === 2).map((m) => m.ruleId));
  }, 60_000);

  it.each([0, 1, 2])('refuses I/O, runtime and loading imports (fixture %i)', (i) => {
    expect(results[i]).toContain('no-restricted-imports');
  });

  it('accepts the core and the contract names', () => {
    expect(results[3]).toEqual([]);
  });
});
