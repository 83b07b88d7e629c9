import { ALLOCATION_TARGET_CONFIG } from './allocation-target';
import { GOVERNOR_CONFIG } from './governor';
import { defineServiceConfig, formatConfigProblem, resolveVariables, unknownVariables } from './resolve';
import { decimalVariable } from './builders';

describe('ALLOCATION_TARGET_CONFIG', () => {
  it('defaults', () => {
    const r = resolveVariables(ALLOCATION_TARGET_CONFIG, {});
    expect(r).toEqual({
      ok: true,
      values: {
        REDIS_URL: undefined,
        REDIS_HOST: 'localhost',
        REDIS_PORT: 6379,
        REDIS_DB: 0,
        REDIS_USERNAME: undefined,
        REDIS_PASSWORD: undefined,
        REDIS_TLS: false,
        REDIS_TLS_CA_FILE: undefined,
        METRICS_HOST: '0.0.0.0',
        METRICS_PORT: 8065,
        METRICS_SYMBOL_IDLE_SEC: 3600,
        LOG_LEVEL: 'info',
        LOOP_INTERVAL_SEC: 10,
        BATCH_SIZE: 500,
        TARGET_KEY_PREFIX: 'quantum:allocation:target:',
        EFFICIENCY_KEY_PREFIX: 'quantum:capital:efficiency:',
        PROPOSED_KEY_PREFIX: 'quantum:allocation:target:proposed:',
        PROPOSE_STREAM_NAME: 'quantum:stream:allocation.target.proposed',
        PROPOSE_STREAM_MAXLEN: 100000,
        PROPOSE_KEY_TTL: 600,
        P31_BASE: 1,
        P31_SCALE: 1,
        P31_MIN_MULT: 0.5,
        P31_MAX_MULT: 1.5,
        P31_STALE_SEC: 600,
        P31_MIN_CONF: 0.65,
        P31_MAX_FUTURE_SKEW_SEC: 60,
      },
    });
    expect(Object.keys(ALLOCATION_TARGET_CONFIG.schema)).toHaveLength(27);
  });

  it('every default text parses back to the default', () => {
    for (const spec of [ALLOCATION_TARGET_CONFIG, GOVERNOR_CONFIG]) {
      for (const def of Object.values(spec.schema)) {
        if (def.defaultValue === undefined) expect(def.defaultText).toBe('');
        else expect(def.parse(def.defaultText)).toEqual(def.defaultValue);
        expect(def.description.length).toBeGreaterThan(0);
        expect(def.allowed.length).toBeGreaterThan(0);
      }
    }
  });

  it('applies given values', () => {
    const r = resolveVariables(ALLOCATION_TARGET_CONFIG, { LOOP_INTERVAL_SEC: '0.5', P31_MIN_MULT: '0.8', P31_MAX_MULT: '0.8', REDIS_URL: 'rediss://u:p@h:6380/2', OTHER: 'x', P31_SCALE: undefined });
    expect(r.ok && r.values).toMatchObject({ LOOP_INTERVAL_SEC: 0.5, P31_MIN_MULT: 0.8, P31_MAX_MULT: 0.8, REDIS_URL: 'rediss://u:p@h:6380/2', P31_SCALE: 1 });
  });

  it('collects every problem, with the relation', () => {
    const r = resolveVariables(ALLOCATION_TARGET_CONFIG, {
      P31_MIN_CONF: '0.65 # note',
      P31_STALE_SEC: '1.5',
      BATCH_SIZE: '0',
      LOOP_INTERVAL_SEC: '0',
      P31_MIN_MULT: '1.6',
      REDIS_URL: 'http://user:hunter2@host',
      METRICS_PORT: '70000',
      LOG_LEVEL: 'trace',
      REDIS_TLS: 'no',
    });
    expect(r.ok).toBe(false);
    const messages = r.ok ? [] : r.problems.map(formatConfigProblem);
    expect(messages).toEqual([
      'REDIS_URL="***" is not allowed: it does not have the expected form; allowed: a redis:// or rediss:// URL',
      'REDIS_TLS="no" is not allowed: it is not a boolean; allowed: true, false, 1 or 0',
      'METRICS_PORT="70000" is not allowed: it is above 65535; allowed: a whole number from 1 to 65535',
      'LOG_LEVEL="trace" is not allowed: it is not one of the allowed words; allowed: one of error, warn, info, debug',
      'LOOP_INTERVAL_SEC="0" is not allowed: it must be above 0; allowed: a number of seconds above 0 (fractions allowed)',
      'BATCH_SIZE="0" is not allowed: it is below 1; allowed: a whole number from 1 to 10000',
      'P31_STALE_SEC="1.5" is not allowed: it is not a whole number; allowed: a whole number of seconds above 0',
      'P31_MIN_CONF="0.65 # note" is not allowed: an inline comment after the value is not allowed (put comments on their own line); allowed: a decimal from 0 to 1',
      'P31_MIN_MULT="1.6" and P31_MAX_MULT="1.5" are not allowed together; allowed: P31_MIN_MULT <= P31_MAX_MULT',
    ]);
    expect(messages.join('\n')).not.toContain('hunter2');
    expect(r.ok ? undefined : r.problems[0]).toEqual({ variable: 'REDIS_URL', value: '***', allowed: 'a redis:// or rediss:// URL', message: messages[0] });
    expect(r.ok ? undefined : r.problems[8]).toMatchObject({ variable: 'P31_MIN_MULT, P31_MAX_MULT', value: 'P31_MIN_MULT=1.6, P31_MAX_MULT=1.5', allowed: 'P31_MIN_MULT <= P31_MAX_MULT' });
  });

  it('skips a relation when one of its variables is already wrong', () => {
    const r = resolveVariables(ALLOCATION_TARGET_CONFIG, { P31_MIN_MULT: 'abc', P31_MAX_MULT: '0.1' });
    expect(r.ok ? [] : r.problems.map((p) => p.variable)).toEqual(['P31_MIN_MULT']);
  });

  it.each([
    ['P31_BASE', '0', 'it must be above 0'],
    ['P31_SCALE', '-1', 'it is below 0'],
    ['P31_MIN_MULT', '0', 'it must be above 0'],
    ['PROPOSE_KEY_TTL', '0', 'it must be above 0'],
    ['METRICS_SYMBOL_IDLE_SEC', '0', 'it must be above 0'],
    ['PROPOSE_STREAM_MAXLEN', '0', 'it is below 1'],
    ['BATCH_SIZE', '10001', 'it is above 10000'],
    ['REDIS_DB', '16', 'it is above 15'],
    ['REDIS_PORT', '0', 'it is below 1'],
    ['TARGET_KEY_PREFIX', 'a b', 'it does not have the expected form'],
    ['P31_MAX_FUTURE_SKEW_SEC', '-1', 'it is below 0'],
  ])('%s=%j: %s', (name, raw, reason) => {
    const r = resolveVariables(ALLOCATION_TARGET_CONFIG, { [name]: raw });
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([expect.stringContaining(`is not allowed: ${reason}; allowed:`)]);
  });

  it('an inherited property of env is not a value', () => {
    const env = Object.create({ P31_MIN_CONF: 'abc' }) as Record<string, string>;
    expect(resolveVariables(ALLOCATION_TARGET_CONFIG, env).ok).toBe(true);
  });
});

describe('GOVERNOR_CONFIG', () => {
  it('defaults', () => {
    const r = resolveVariables(GOVERNOR_CONFIG, {});
    expect(r.ok && r.values).toMatchObject({
      METRICS_PORT: 8044,
      METRICS_SYMBOL_IDLE_SEC: 3600,
      GOV_MODE: 'enforce',
      PLAN_STREAM: 'quantum:stream:apply.plan',
      GOV_GROUP: 'governor',
      GOV_CONSUMER_NAME: undefined,
      GOV_BATCH_SIZE: 100,
      GOV_BLOCK_MS: 2000,
      GOV_CLAIM_IDLE_MS: 30000,
      GOV_MAX_DELIVERIES: 5,
      GOV_DECISION_TTL_SEC: 86400,
      PERMIT_TTL_SEC: 60,
      GOV_BLOCK_RECORD_TTL_SEC: 3600,
      DLQ_STREAM: 'quantum:stream:apply.plan.dlq',
      EVENTS_STREAM: 'quantum:stream:governor.events',
      EVENTS_STREAM_MAXLEN: 100000,
      KILL_SWITCH_KEY: 'quantum:kill',
      EFFICIENCY_KEY_PREFIX: 'quantum:capital:efficiency:',
      GOV_KILL_SCORE_CRITICAL: 0.8,
      GOV_SYMBOL_COOLDOWN_SECONDS: 60,
      GOV_MAX_EXEC_PER_HOUR: 3,
      GOV_MAX_EXEC_PER_5MIN: 2,
      GOV_MAX_NOTIONAL_PER_TRADE_USDT: 200,
      GOV_MAX_NOTIONAL_PER_DAY_USD: 5000,
      GOV_ALLOW_EVICTION: false,
      GOV_NOTIONAL_UNKNOWN: 'block',
      GOV_PRICE_KEY_PATTERN: undefined,
      GOV_PRICE_FIELD: 'price',
      GOV_PRICE_TS_FIELD: 'ts',
      GOV_PRICE_MAX_AGE_SEC: 60,
      P31_DOWNSIZE_THRESHOLD: 0.45,
      P31_MIN_FACTOR: 0.25,
      P31_MAX_EXTRA_COOLDOWN_SEC: 120,
      P31_EFF_TTL_SEC: 600,
      P31_MIN_CONF: 0.65,
      P31_MAX_FUTURE_SKEW_SEC: 60,
      P31_ENFORCE_DOWNSIZE: false,
    });
    expect(Object.keys(GOVERNOR_CONFIG.schema)).toHaveLength(47);
    expect(GOVERNOR_CONFIG.relations).toEqual([]);
  });

  it.each([
    ['GOV_MODE', 'dry_run', 'dry_run'],
    ['METRICS_SYMBOL_IDLE_SEC', '86400', 86400],
    ['GOV_MAX_DELIVERIES', '0', 0],
    ['GOV_MAX_EXEC_PER_HOUR', '0', 0],
    ['GOV_MAX_NOTIONAL_PER_TRADE_USDT', '250.5', 250.5],
    ['P31_MIN_FACTOR', '1', 1],
    ['P31_ENFORCE_DOWNSIZE', '1', true],
    ['GOV_CONSUMER_NAME', 'gov-a', 'gov-a'],
    ['REDIS_PASSWORD', 'p@ss #1', 'p@ss #1'],
    ['GOV_NOTIONAL_UNKNOWN', 'allow', 'allow'],
    ['GOV_PRICE_KEY_PATTERN', 'quantum:market:{SYMBOL}:bybit', 'quantum:market:{SYMBOL}:bybit'],
    ['GOV_PRICE_KEY_PATTERN', '{SYMBOL}', '{SYMBOL}'],
    ['GOV_PRICE_KEY_PATTERN', '', undefined],
    ['GOV_PRICE_FIELD', 'mark_price', 'mark_price'],
    ['GOV_PRICE_MAX_AGE_SEC', '1800.5', 1800.5],
  ])('%s=%j → %p', (name, raw, value) => {
    const r = resolveVariables(GOVERNOR_CONFIG, { [name]: raw });
    expect(r.ok && (r.values as Record<string, unknown>)[name]).toEqual(value);
  });

  it.each([
    ['P31_MIN_FACTOR', '0', 'it must be above 0'],
    ['P31_MIN_FACTOR', '1.01', 'it is above 1'],
    ['P31_DOWNSIZE_THRESHOLD', '1.5', 'it is above 1'],
    ['GOV_KILL_SCORE_CRITICAL', '-0.5', 'it is below 0'],
    ['GOV_BATCH_SIZE', '1001', 'it is above 1000'],
    ['GOV_BLOCK_MS', '5001', 'it is above 5000'],
    ['GOV_CLAIM_IDLE_MS', '999', 'it is below 1000'],
    ['GOV_MAX_EXEC_PER_HOUR', '1.5', 'it is not a whole number'],
    ['GOV_MAX_NOTIONAL_PER_DAY_USD', '-1', 'it is below 0'],
    ['P31_EFF_TTL_SEC', '1.5', 'it is not a whole number'],
    ['P31_ENFORCE_DOWNSIZE', 'no', 'it is not a boolean'],
    ['GOV_MODE', 'off', 'it is not one of the allowed words'],
    ['PERMIT_TTL_SEC', '', 'the value is empty (remove the variable to use the default 60)'],
    ['GOV_NOTIONAL_UNKNOWN', 'BLOCK', 'it is not one of the allowed words'],
    ['GOV_PRICE_KEY_PATTERN', 'quantum:market:BTCUSDT', 'it does not have the expected form'],
    ['GOV_PRICE_KEY_PATTERN', 'a:{SYMBOL}:{SYMBOL}', 'it does not have the expected form'],
    ['GOV_PRICE_KEY_PATTERN', 'a {SYMBOL}', 'it does not have the expected form'],
    ['GOV_PRICE_FIELD', 'mark price', 'it does not have the expected form'],
    ['GOV_PRICE_MAX_AGE_SEC', '0', 'it must be above 0'],
    ['METRICS_SYMBOL_IDLE_SEC', '1.5', 'it is not a whole number'],
  ])('%s=%j: %s', (name, raw, reason) => {
    const r = resolveVariables(GOVERNOR_CONFIG, { [name]: raw });
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual([expect.stringContaining(`is not allowed: ${reason}; allowed:`)]);
  });
});

describe('resolve helpers', () => {
  it('unknownVariables lists names no spec defines', () => {
    expect(unknownVariables([ALLOCATION_TARGET_CONFIG, GOVERNOR_CONFIG], { P31_MIN_CONF: '1', GOV_MODE: 'x', P31_MIN_CONFF: '1', BATCH_SIZE: '1' })).toEqual(['P31_MIN_CONFF']);
  });

  it('a relation over a secret shows it masked', () => {
    const secretish = { ...decimalVariable({ name: 'A', description: 'd', default: 1 }), secret: true };
    const spec = defineServiceConfig({ A: secretish, B: decimalVariable({ name: 'B', description: 'd', default: 2 }) }, [{ variables: ['A', 'B'], description: 'A > B', check: (v) => v.A > v.B }]);
    const r = resolveVariables(spec, { A: '1' });
    expect(r.ok ? [] : r.problems.map((p) => p.message)).toEqual(['A="***" and B="2" are not allowed together; allowed: A > B']);
  });

  it('a parse that fails for another reason is a bug and is thrown', () => {
    const broken = { ...decimalVariable({ name: 'A', description: 'd', default: 1 }), parse: () => { throw new TypeError('bug'); } };
    expect(() => resolveVariables(defineServiceConfig({ A: broken }), { A: '1' })).toThrow(TypeError);
  });
});
