import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const tsx = require.resolve('tsx/cli');
const script = join(__dirname, 'fixtures-exit-78.ts');

function run(env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  return spawnSync(process.execPath, [tsx, '--conditions=@quantum/source', script], {
    env: { PATH, HOME, ...env } as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('exitOnConfigError in a child process', () => {
  it('exits 78 naming every bad variable on stderr, one per line, and writes nothing to stdout', () => {
    const result = run({ P31_MIN_CONF: '0.65 # note', P31_MAX_MULT: 'abc' });
    expect(result.status).toBe(78);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines[0]).toBe('invalid configuration:');
    expect(lines).toContainEqual(expect.stringMatching(/^P31_MIN_CONF="0.65 # note" is not allowed: an inline comment/));
    expect(lines).toContainEqual(expect.stringMatching(/^P31_MAX_MULT="abc" is not allowed/));
  }, 40_000);

  it('starts with a good configuration', () => {
    const result = run({ P31_MIN_CONF: '0.7' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('started\n');
  }, 40_000);
});
