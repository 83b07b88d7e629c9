import { ALLOCATION_TARGET_CONFIG } from '../catalogue/allocation-target';
import { GOVERNOR_CONFIG } from '../catalogue/governor';
import { ConfigError } from './config-error';
import { describeConfig } from './describe-config';
import { loadServiceConfig } from './load-service-config';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => p.message);
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const files = (map: Record<string, string>) => (path: string) => {
  const text = map[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};

describe('loadServiceConfig', () => {
  it('gives the catalogue defaults with an empty environment', () => {
    const { values, envFile } = loadServiceConfig(ALLOCATION_TARGET_CONFIG, { env: {} });
    expect(values.P31_MIN_CONF).toBe(0.65);
    expect(values.METRICS_PORT).toBe(8065);
    expect(values.REDIS_URL).toBeUndefined();
    expect(values.REDIS_TLS).toBe(false);
    expect(envFile).toBeUndefined();
  });

  it('parses values strictly into their types', () => {
    const { values } = loadServiceConfig(GOVERNOR_CONFIG, { env: { P31_MIN_CONF: '0.7', P31_ENFORCE_DOWNSIZE: '1', METRICS_PORT: '9000', LOG_LEVEL: 'debug' } });
    expect(values).toMatchObject({ P31_MIN_CONF: 0.7, P31_ENFORCE_DOWNSIZE: true, METRICS_PORT: 9000, LOG_LEVEL: 'debug' });
  });

  it('refuses what lenient loaders accept: inline comment, empty, abc, out of range, "no"; all at once', () => {
    const problems = problemsOf(() =>
      loadServiceConfig(GOVERNOR_CONFIG, {
        env: { P31_MIN_CONF: '0.65 # note', P31_MIN_FACTOR: '', P31_DOWNSIZE_THRESHOLD: 'abc', METRICS_PORT: '70000', P31_ENFORCE_DOWNSIZE: 'no' },
      }),
    );
    expect(problems).toHaveLength(5);
    const about = (name: string) => problems.find((p) => p.startsWith(`${name}=`));
    expect(about('P31_MIN_CONF')).toMatch(/^P31_MIN_CONF="0.65 # note" is not allowed: an inline comment/);
    expect(about('P31_MIN_FACTOR')).toMatch(/^P31_MIN_FACTOR="" is not allowed: the value is empty/);
    expect(about('P31_DOWNSIZE_THRESHOLD')).toMatch(/^P31_DOWNSIZE_THRESHOLD="abc" is not allowed: .*allowed: a decimal from 0 to 1/);
    expect(about('METRICS_PORT')).toMatch(/^METRICS_PORT="70000" is not allowed: .*allowed: .*1 to 65535/);
    expect(about('P31_ENFORCE_DOWNSIZE')).toMatch(/^P31_ENFORCE_DOWNSIZE="no" is not allowed/);
  });

  it('checks relations between variables', () => {
    const problems = problemsOf(() => loadServiceConfig(ALLOCATION_TARGET_CONFIG, { env: { P31_MIN_MULT: '1.2', P31_MAX_MULT: '1.1' } }));
    expect(problems).toEqual(['P31_MIN_MULT="1.2" and P31_MAX_MULT="1.1" are not allowed together; allowed: P31_MIN_MULT <= P31_MAX_MULT']);
  });

  it('reads an env file; the process environment wins over it', () => {
    const { values, envFile, unknownFileVariables } = loadServiceConfig(ALLOCATION_TARGET_CONFIG, {
      argv: ['--env-file', 'svc.env'],
      env: { P31_MIN_CONF: '0.8' },
      readFile: files({ 'svc.env': '# tuned\nP31_MIN_CONF=0.5\nexport P31_STALE_SEC="300"\nGOV_MAX_EXEC_PER_HOUR=3\n' }),
    });
    expect(values.P31_MIN_CONF).toBe(0.8);
    expect(values.P31_STALE_SEC).toBe(300);
    expect(envFile).toBe('svc.env');
    expect(unknownFileVariables).toEqual(['GOV_MAX_EXEC_PER_HOUR']);
  });

  it('names the file line of an inline comment and collects file and value problems together', () => {
    const problems = problemsOf(() =>
      loadServiceConfig(ALLOCATION_TARGET_CONFIG, {
        env: { ENV_FILE: 'svc.env', P31_SCALE: '-1' },
        readFile: files({ 'svc.env': 'P31_MIN_CONF=0.65 # keep it high\noops\n' }),
      }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^env file svc.env:2: expected KEY=VALUE/),
      expect.stringMatching(/^P31_SCALE="-1" is not allowed: .*; allowed: a decimal of 0 or more$/),
      expect.stringMatching(/^P31_MIN_CONF="0.65 # keep it high" is not allowed: an inline comment after the value is not allowed .*\(env file svc.env:1\)$/),
    ]);
  });

  it('reports an unknown env file', () => {
    expect(problemsOf(() => loadServiceConfig(ALLOCATION_TARGET_CONFIG, { argv: ['--env-file=/nonexistent/x.env'], env: {} }))).toEqual([
      'env file /nonexistent/x.env: cannot read the env file: no such file',
    ]);
  });

  it('never shows a secret value in a problem', () => {
    const problems = problemsOf(() => loadServiceConfig(ALLOCATION_TARGET_CONFIG, { env: { REDIS_URL: 'http://u:hunter2@h' } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('REDIS_URL');
    expect(problems[0]).not.toContain('hunter2');
  });
});

describe('describeConfig', () => {
  it('lists every variable with default and what is allowed', () => {
    const help = describeConfig(ALLOCATION_TARGET_CONFIG);
    for (const name of Object.keys(ALLOCATION_TARGET_CONFIG.schema)) expect(help).toContain(`  ${name}`);
    expect(help).toContain('default: 0.65; allowed: a decimal from 0 to 1');
    expect(help).toContain('P31_MIN_MULT <= P31_MAX_MULT');
  });
});
