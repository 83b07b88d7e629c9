import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Proves the lint rule that keeps the catalogue pure (eslint.config.mjs of this library) bites:
 * ESLint, in a child process as in efficiency-core's module-boundaries.spec.ts, lints fixture
 * texts as if they were files of src/catalogue/.
 */
const LIB = join(__dirname, '..');

const SCRIPT = `
const { ESLint } = require('eslint');
const input = JSON.parse(process.argv[1]);
(async () => {
  const eslint = new ESLint({ cwd: input.cwd });
  const out = [];
  for (const code of input.codes) {
    const [result] = await eslint.lintText(code, { filePath: input.filePath });
    out.push(result.messages.filter((m) => m.severity === 2).map((m) => m.ruleId));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
`;

describe('purity of the config catalogue', () => {
  const fixtures = [
    "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    "import { createLogger } from '@quantum/service-runtime';\nexport const x = createLogger;\n",
    "import { readEnvFile } from '../loading/env-file';\nexport const x = readEnvFile;\n",
    "import { parseDecimal } from '@quantum/efficiency-core';\nimport { PLAN_STREAM } from '../contract-names';\nexport const x = [parseDecimal, PLAN_STREAM];\n",
  ];
  let results: (string | null)[][];

  beforeAll(() => {
    const stdout = execFileSync(process.execPath, ['-e', SCRIPT, JSON.stringify({ cwd: LIB, filePath: join(LIB, 'src', 'catalogue', '__fixture__.ts'), codes: fixtures })], { cwd: LIB, encoding: 'utf8' });
    results = JSON.parse(stdout) as (string | null)[][];
  }, 60_000);

  it.each([0, 1, 2])('refuses I/O, runtime and loading imports (fixture %i)', (i) => {
    expect(results[i]).toContain('no-restricted-imports');
  });

  it('accepts the core and the contract names', () => {
    expect(results[3]).toEqual([]);
  });
});
