/**
 * BAD INPUT — configuration. Every variable of both catalogues (iterated, so a new variable is
 * covered or the test fails) × a fixed list of hostile values (empty, text, inline comment, NaN,
 * Infinity, negative, out of range, exponent, hex, whitespace, 400 digits, ...), judged by an
 * oracle written from CONTRACT.md §5 and the documented ranges (not by the catalogue's own
 * parsers): a refused value must give a ConfigError naming the variable, an allowed one must load.
 * In-process through `loadServiceConfig` (what both services call); then a sample of one refused
 * value per variable, plus the relation and an env-file case, through the real built services:
 * exit 78, the variable named on stderr, and no connection to (nothing written in) a throwaway Redis.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ALLOCATION_TARGET_CONFIG, ConfigError, GOVERNOR_CONFIG, loadServiceConfig, type VariableSchema } from '@quantum/config';
import { RedisServerProcess } from '@quantum/redis-streams/testing';
import { ensureBuilt, startService, type App } from './chaos/support';

jest.setTimeout(180_000);

// ---- the oracle ------------------------------------------------------------------------------

type Rule =
  | { kind: 'decimal'; min?: number; minEx?: number; max?: number }
  | { kind: 'integer'; min?: number; minEx?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'string'; optional: boolean; secret?: boolean; pattern?: RegExp };

const PLAIN_DECIMAL = /^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const PLAIN_INTEGER = /^[+-]?\d+$/;
const NO_SPACES = /^\S+$/;
const key: Rule = { kind: 'string', optional: false, pattern: NO_SPACES };
const zeroToOne: Rule = { kind: 'decimal', min: 0, max: 1 };
const wholeSecondsAbove0: Rule = { kind: 'integer', minEx: 0 };
const intZeroOrMore: Rule = { kind: 'integer', min: 0 };

const COMMON: Record<string, Rule> = {
  REDIS_URL: { kind: 'string', optional: true, secret: true, pattern: /^rediss?:\/\/\S+$/ },
  REDIS_HOST: { kind: 'string', optional: false, pattern: NO_SPACES },
  REDIS_PORT: { kind: 'integer', min: 1, max: 65535 },
  REDIS_DB: { kind: 'integer', min: 0, max: 15 },
  REDIS_USERNAME: { kind: 'string', optional: true, pattern: NO_SPACES },
  REDIS_PASSWORD: { kind: 'string', optional: true, secret: true },
  REDIS_TLS: { kind: 'boolean' },
  REDIS_TLS_CA_FILE: { kind: 'string', optional: true },
  METRICS_HOST: { kind: 'string', optional: false, pattern: NO_SPACES },
  METRICS_PORT: { kind: 'integer', min: 1, max: 65535 },
  LOG_LEVEL: { kind: 'enum', values: ['error', 'warn', 'info', 'debug'] },
  P31_MIN_CONF: zeroToOne,
  P31_MAX_FUTURE_SKEW_SEC: { kind: 'decimal', min: 0 },
  METRICS_SYMBOL_IDLE_SEC: wholeSecondsAbove0,
};

const ORACLE: Record<App, Record<string, Rule>> = {
  'allocation-target': {
    ...COMMON,
    LOOP_INTERVAL_SEC: { kind: 'decimal', minEx: 0 },
    BATCH_SIZE: { kind: 'integer', min: 1, max: 10000 },
    TARGET_KEY_PREFIX: key, EFFICIENCY_KEY_PREFIX: key, PROPOSED_KEY_PREFIX: key, PROPOSE_STREAM_NAME: key,
    PROPOSE_STREAM_MAXLEN: { kind: 'integer', min: 1 },
    PROPOSE_KEY_TTL: wholeSecondsAbove0,
    P31_BASE: { kind: 'decimal', minEx: 0 },
    P31_SCALE: { kind: 'decimal', min: 0 },
    P31_MIN_MULT: { kind: 'decimal', minEx: 0 },
    P31_MAX_MULT: { kind: 'decimal', minEx: 0 },
    P31_STALE_SEC: wholeSecondsAbove0,
  },
  governor: {
    ...COMMON,
    GOV_MODE: { kind: 'enum', values: ['enforce', 'dry_run'] },
    PLAN_STREAM: key, GOV_GROUP: key, DLQ_STREAM: key, EVENTS_STREAM: key, KILL_SWITCH_KEY: key, EFFICIENCY_KEY_PREFIX: key,
    GOV_CONSUMER_NAME: { kind: 'string', optional: true, pattern: NO_SPACES },
    GOV_BATCH_SIZE: { kind: 'integer', min: 1, max: 1000 },
    GOV_BLOCK_MS: { kind: 'integer', min: 1, max: 5000 },
    GOV_CLAIM_IDLE_MS: { kind: 'integer', min: 1000 },
    GOV_MAX_DELIVERIES: intZeroOrMore,
    GOV_DECISION_TTL_SEC: wholeSecondsAbove0, PERMIT_TTL_SEC: wholeSecondsAbove0, GOV_BLOCK_RECORD_TTL_SEC: wholeSecondsAbove0,
    EVENTS_STREAM_MAXLEN: { kind: 'integer', min: 1 },
    GOV_KILL_SCORE_CRITICAL: zeroToOne,
    GOV_SYMBOL_COOLDOWN_SECONDS: intZeroOrMore, GOV_MAX_EXEC_PER_HOUR: intZeroOrMore, GOV_MAX_EXEC_PER_5MIN: intZeroOrMore,
    GOV_MAX_NOTIONAL_PER_TRADE_USDT: { kind: 'decimal', min: 0 },
    GOV_MAX_NOTIONAL_PER_DAY_USD: { kind: 'decimal', min: 0 },
    P31_DOWNSIZE_THRESHOLD: zeroToOne,
    P31_MIN_FACTOR: { kind: 'decimal', minEx: 0, max: 1 },
    P31_MAX_EXTRA_COOLDOWN_SEC: intZeroOrMore,
    P31_EFF_TTL_SEC: wholeSecondsAbove0,
    P31_ENFORCE_DOWNSIZE: { kind: 'boolean' },
    GOV_ALLOW_EVICTION: { kind: 'boolean' },
    GOV_NOTIONAL_UNKNOWN: { kind: 'enum', values: ['block', 'allow'] },
    // CONTRACT §5: empty (no price source), or a key name holding {SYMBOL} once
    GOV_PRICE_KEY_PATTERN: { kind: 'string', optional: true, pattern: /^(?!.*\{SYMBOL\}.*\{SYMBOL\})\S*\{SYMBOL\}\S*$/ },
    GOV_PRICE_FIELD: { kind: 'string', optional: false, pattern: NO_SPACES },
    GOV_PRICE_TS_FIELD: { kind: 'string', optional: false, pattern: NO_SPACES },
    GOV_PRICE_MAX_AGE_SEC: { kind: 'decimal', minEx: 0 },
  },
};

function inRange(v: number, r: { min?: number; minEx?: number; max?: number }): boolean {
  return Number.isFinite(v) && (r.min === undefined || v >= r.min) && (r.minEx === undefined || v > r.minEx) && (r.max === undefined || v <= r.max);
}

/** Whether CONTRACT §5 / the documented ranges allow `raw` for a variable with this rule. */
function allowed(rule: Rule, raw: string): boolean {
  if (raw === '') return rule.kind === 'string' && rule.optional; // empty optional = unset
  if (raw.trim() !== raw) return false;
  if (/\s#/.test(raw) && !(rule.kind === 'string' && rule.secret)) return false; // inline comment
  switch (rule.kind) {
    case 'decimal':
      return PLAIN_DECIMAL.test(raw) && inRange(Number(raw), rule);
    case 'integer':
      return PLAIN_INTEGER.test(raw) && Number.isSafeInteger(Number(raw)) && inRange(Number(raw), rule);
    case 'boolean':
      return ['true', 'false', '1', '0'].includes(raw);
    case 'enum':
      return rule.values.includes(raw);
    case 'string':
      return rule.pattern ? rule.pattern.test(raw) : true;
  }
}

/** The relation (P31_MIN_MULT <= P31_MAX_MULT) with the other variable at its default (0.5 / 1.5). */
function relationHolds(app: App, name: string, raw: string): boolean {
  if (app !== 'allocation-target') return true;
  if (name === 'P31_MIN_MULT') return Number(raw) <= 1.5;
  if (name === 'P31_MAX_MULT') return Number(raw) >= 0.5;
  return true;
}

// ---- the hostile values ----------------------------------------------------------------------

function valuesFor(rule: Rule, defaultText: string): string[] {
  const generic = [
    '', 'abc', `${defaultText || 'x'} # note`, `${defaultText || 'x'}#note`, 'NaN', 'Infinity', '-Infinity', '-1', '-0.5', '-0', '0', '0.0001', '0.5',
    '1', '1.5', '2', '1e3', '1e309', '1e-400', '0x10', '.5', '5.', '+1', ' 1', '1 ', '1_000', '1,5', '9'.repeat(400), `0.${'9'.repeat(400)}`,
    'true', 'TRUE', 'yes', 'null', 'undefined', 'a b', '\t', '\u00a0', 'é', 'redis://h:1', 'http://h:1', 'rediss://u:p@h:2/0',
  ];
  const edges: string[] = [];
  if (rule.kind === 'decimal' || rule.kind === 'integer') {
    for (const b of [rule.min, rule.minEx, rule.max]) {
      if (b === undefined) continue;
      edges.push(String(b), String(b - 1), String(b + 1), String(b - 0.5), String(b + 0.5));
    }
    edges.push('65536', '16', '10001', '1001', '5001', '999');
  }
  if (rule.kind === 'enum') edges.push(...rule.values, ...rule.values.map((v) => v.toUpperCase()), `${rule.values[0]} `);
  return [...new Set([...generic, ...edges])];
}

// ---- in-process matrix ---------------------------------------------------------------------

const SPECS = { 'allocation-target': ALLOCATION_TARGET_CONFIG, governor: GOVERNOR_CONFIG } as const;

function load(app: App, env: Record<string, string>): { ok: true } | { ok: false; problems: readonly { variable: string; message: string }[] } {
  try {
    if (app === 'governor') loadServiceConfig(GOVERNOR_CONFIG, { argv: [], env });
    else loadServiceConfig(ALLOCATION_TARGET_CONFIG, { argv: [], env });
    return { ok: true };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { ok: false, problems: error.problems };
  }
}

const counts = { refused: 0, accepted: 0, childProcess: 0 };

describe.each(['allocation-target', 'governor'] as const)('%s: every variable × hostile values (in-process, the services\' loader)', (app) => {
  const schema = SPECS[app].schema as VariableSchema;

  it('the oracle knows every catalogue variable (a new variable must be added here)', () => {
    expect(Object.keys(schema).sort()).toEqual(Object.keys(ORACLE[app]).sort());
  });

  it.each(Object.keys(schema))('%s', (name) => {
    const rule = ORACLE[app][name]!;
    const mismatches: string[] = [];
    for (const raw of valuesFor(rule, schema[name]!.defaultText)) {
      const expectOk = allowed(rule, raw) && relationHolds(app, name, raw);
      const got = load(app, { [name]: raw });
      if (expectOk) {
        counts.accepted++;
        if (!got.ok) mismatches.push(`${JSON.stringify(raw)} should be allowed, got: ${got.problems.map((p) => p.message).join('; ')}`);
      } else {
        counts.refused++;
        if (got.ok) mismatches.push(`${JSON.stringify(raw)} should be refused, was accepted`);
        else if (!got.problems.some((p) => p.variable.split(', ').includes(name) && p.message.includes(name))) mismatches.push(`${JSON.stringify(raw)}: no problem naming ${name}`);
        else if (schema[name]!.secret && got.problems.some((p) => raw.length > 3 && p.message.includes(raw))) mismatches.push(`${JSON.stringify(raw)}: secret value shown`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('relations', () => {
  it.each([
    [{ P31_MIN_MULT: '1.6' }],
    [{ P31_MAX_MULT: '0.4' }],
    [{ P31_MIN_MULT: '2', P31_MAX_MULT: '1' }],
    [{ P31_MIN_MULT: '1.0000001', P31_MAX_MULT: '1' }],
  ])('allocation-target refuses P31_MIN_MULT > P31_MAX_MULT: %j', (env) => {
    const got = load('allocation-target', env);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.problems.map((p) => p.message).join('\n')).toMatch(/P31_MIN_MULT.*P31_MAX_MULT.*not allowed together/);
    counts.refused++;
  });

  it('P31_MIN_MULT = P31_MAX_MULT is allowed', () => {
    expect(load('allocation-target', { P31_MIN_MULT: '1', P31_MAX_MULT: '1' }).ok).toBe(true);
    counts.accepted++;
  });

  it('several bad variables at once: every one is reported', () => {
    const got = load('governor', { GOV_BATCH_SIZE: '0', P31_MIN_FACTOR: '0', PERMIT_TTL_SEC: '1.5', GOV_MODE: 'ENFORCE' });
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.problems.map((p) => p.variable).sort()).toEqual(['GOV_BATCH_SIZE', 'GOV_MODE', 'P31_MIN_FACTOR', 'PERMIT_TTL_SEC']);
  });
});

// ---- the real built services -------------------------------------------------------------------

describe('the built services: exit 78, the variable named, nothing connected or written', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  beforeAll(async () => {
    await ensureBuilt();
    server = await RedisServerProcess.start();
    admin = new Redis({ host: server.host, port: server.port });
  }, 300_000);
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
    console.log(`bad-input config cases: ${counts.refused} refused + ${counts.accepted} accepted in-process, ${counts.childProcess} child-process starts`);
  });

  async function connectionsReceived(): Promise<number> {
    const info = await admin.info('stats');
    return Number(/total_connections_received:(\d+)/.exec(info)?.[1]);
  }

  /** One refused value per variable, rotating over the kinds of bad value. */
  function sample(app: App): { name: string; env: Record<string, string> }[] {
    const kinds = ['', 'abc', '# note', 'NaN', 'Infinity', '-1', 'range'];
    return Object.keys(ORACLE[app]).flatMap((name, i) => {
      const rule = ORACLE[app][name]!;
      const def = (SPECS[app].schema as VariableSchema)[name]!.defaultText;
      const candidates = valuesFor(rule, def).filter((v) => !allowed(rule, v));
      const kind = kinds[i % kinds.length]!;
      const wanted =
        kind === '# note' ? candidates.find((v) => v.endsWith(' # note'))
          : kind === 'range' && (rule.kind === 'decimal' || rule.kind === 'integer') ? candidates.find((v) => PLAIN_DECIMAL.test(v) && !allowed(rule, v))
            : candidates.find((v) => v === kind);
      const raw = wanted ?? candidates[0];
      return raw === undefined ? [] : [{ name, env: { [name]: raw } }];
    });
  }

  it.each(['allocation-target', 'governor'] as const)('%s: one refused value per variable, the relation, and an env-file comment', async (app) => {
    const cases = sample(app);
    if (app === 'allocation-target') cases.push({ name: 'P31_MIN_MULT', env: { P31_MIN_MULT: '1.6' } });
    const dir = mkdtempSync(join(tmpdir(), 'bad-env-'));
    const file = join(dir, `${app}.env`);
    writeFileSync(file, `# comment line\nP31_MIN_CONF=0.65 # inline note\n`);
    cases.push({ name: 'P31_MIN_CONF', env: { ENV_FILE: file } });
    expect(cases.length).toBeGreaterThanOrEqual(Object.keys(ORACLE[app]).length);
    const before = await connectionsReceived();
    const failures: string[] = [];
    for (let i = 0; i < cases.length; i += 6) {
      await Promise.all(cases.slice(i, i + 6).map(async (c) => {
        const child = await startService(app, { REDIS_URL: server.url, ...c.env });
        const code = await child.exited;
        counts.childProcess++;
        if (code !== 78) failures.push(`${JSON.stringify(c.env)}: exit ${code}`);
        else if (!child.stderr().includes(c.name)) failures.push(`${JSON.stringify(c.env)}: stderr does not name ${c.name}: ${child.stderr()}`);
        else if (c.env['ENV_FILE'] && !child.stderr().includes(`${file}:2`)) failures.push(`env file line not named: ${child.stderr()}`);
      }));
    }
    expect(failures).toEqual([]);
    expect(await connectionsReceived()).toBe(before);
    expect(await admin.dbsize()).toBe(0);
  });
});
