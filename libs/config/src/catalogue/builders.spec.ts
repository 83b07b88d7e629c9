import { booleanVariable, decimalVariable, enumVariable, integerVariable, stringVariable } from './builders';
import { InvalidVariableError } from './errors';

function problemOf(fn: () => unknown): InvalidVariableError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidVariableError) return err;
    throw err;
  }
  throw new Error('expected InvalidVariableError');
}

describe('decimalVariable', () => {
  const conf = decimalVariable({ name: 'P31_MIN_CONF', description: 'd', default: 0.65, min: 0, max: 1 });

  it('describes itself', () => {
    expect(conf).toMatchObject({ name: 'P31_MIN_CONF', defaultValue: 0.65, defaultText: '0.65', allowed: 'a decimal from 0 to 1', secret: false });
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['0.65', 0.65],
    ['6.5e-1', 0.65],
  ])('parses %j', (raw, v) => expect(conf.parse(raw)).toBe(v));

  it.each([
    ['0.65 # note', 'P31_MIN_CONF="0.65 # note" is not allowed: an inline comment after the value is not allowed (put comments on their own line); allowed: a decimal from 0 to 1'],
    ['0.65\t# note', 'P31_MIN_CONF="0.65\\t# note" is not allowed: an inline comment after the value is not allowed (put comments on their own line); allowed: a decimal from 0 to 1'],
    ['', 'P31_MIN_CONF="" is not allowed: the value is empty (remove the variable to use the default 0.65); allowed: a decimal from 0 to 1'],
    ['abc', 'P31_MIN_CONF="abc" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1'],
    ['NaN', 'P31_MIN_CONF="NaN" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1'],
    ['Infinity', 'P31_MIN_CONF="Infinity" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1'],
    ['1e999', 'P31_MIN_CONF="1e999" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1'],
    ['.5', 'P31_MIN_CONF=".5" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1'],
    [' 0.5', 'P31_MIN_CONF=" 0.5" is not allowed: leading or trailing whitespace is not allowed; allowed: a decimal from 0 to 1'],
    ['0.5 ', 'P31_MIN_CONF="0.5 " is not allowed: leading or trailing whitespace is not allowed; allowed: a decimal from 0 to 1'],
    ['1.5', 'P31_MIN_CONF="1.5" is not allowed: it is above 1; allowed: a decimal from 0 to 1'],
    ['-0.1', 'P31_MIN_CONF="-0.1" is not allowed: it is below 0; allowed: a decimal from 0 to 1'],
  ])('refuses %j', (raw, message) => {
    const err = problemOf(() => conf.parse(raw));
    expect(err.message).toBe(message);
    expect(err).toMatchObject({ variable: 'P31_MIN_CONF', value: raw, allowed: 'a decimal from 0 to 1', name: 'InvalidVariableError' });
  });

  it('exclusive bounds', () => {
    const v = decimalVariable({ name: 'X', description: 'd', default: 0.5, minExclusive: 0, maxExclusive: 1 });
    expect(v.allowed).toBe('a decimal above 0 and below 1');
    expect(problemOf(() => v.parse('0')).reason).toBe('it must be above 0');
    expect(problemOf(() => v.parse('1')).reason).toBe('it must be below 1');
    expect(v.parse('0.999')).toBe(0.999);
  });

  it.each([
    [{ min: 0 }, 'a decimal of 0 or more'],
    [{ minExclusive: 0 }, 'a decimal above 0'],
    [{ minExclusive: 0, max: 1 }, 'a decimal above 0 and at most 1'],
    [{ max: 2 }, 'a decimal at most 2'],
    [{}, 'a decimal'],
  ])('allowed text for %j', (bounds, text) => {
    expect(decimalVariable({ name: 'X', description: 'd', default: 1, ...bounds }).allowed).toBe(text);
  });

  it('keeps a given defaultText and allowed text', () => {
    const v = decimalVariable({ name: 'X', description: 'd', default: 1, defaultText: '1.0', allowed: 'anything' });
    expect(v).toMatchObject({ defaultText: '1.0', allowed: 'anything' });
  });

  it('refuses a default that breaks its own rules (a catalogue bug)', () => {
    expect(() => decimalVariable({ name: 'X', description: 'd', default: 2, max: 1 })).toThrow(InvalidVariableError);
  });
});

describe('integerVariable', () => {
  const ttl = integerVariable({ name: 'P31_STALE_SEC', description: 'd', default: 600, minExclusive: 0 });

  it.each([
    ['600', 600],
    ['1', 1],
    ['+5', 5],
  ])('parses %j', (raw, v) => expect(ttl.parse(raw)).toBe(v));

  it.each([
    ['1.5', 'it is not a whole number'],
    ['1e3', 'it is not a whole number'],
    ['600.0', 'it is not a whole number'],
    ['abc', 'it is not a plain decimal number'],
    ['0', 'it must be above 0'],
    ['-1', 'it must be above 0'],
    ['99999999999999999999', 'it is too large'],
  ])('refuses %j: %s', (raw, reason) => {
    expect(problemOf(() => ttl.parse(raw)).reason).toBe(reason);
  });

  it('has no negative zero', () => {
    const v = integerVariable({ name: 'X', description: 'd', default: 0, min: 0 });
    expect(Object.is(v.parse('-0'), 0)).toBe(true);
  });

  it('ports', () => {
    const port = integerVariable({ name: 'METRICS_PORT', description: 'd', default: 8065, min: 1, max: 65535 });
    expect(port.allowed).toBe('a whole number from 1 to 65535');
    expect(problemOf(() => port.parse('65536')).message).toBe('METRICS_PORT="65536" is not allowed: it is above 65535; allowed: a whole number from 1 to 65535');
    expect(problemOf(() => port.parse('0')).reason).toBe('it is below 1');
  });
});

describe('booleanVariable', () => {
  const b = booleanVariable({ name: 'P31_ENFORCE_DOWNSIZE', description: 'd', default: false });
  it.each([
    ['true', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('parses %j', (raw, v) => expect(b.parse(raw)).toBe(v));
  it.each(['no', 'yes', 'TRUE', 'True', 'on', '2'])('refuses %j', (raw) => {
    expect(problemOf(() => b.parse(raw)).message).toBe(`P31_ENFORCE_DOWNSIZE="${raw}" is not allowed: it is not a boolean; allowed: true, false, 1 or 0`);
  });
  it('custom allowed text', () => {
    expect(booleanVariable({ name: 'X', description: 'd', default: true, allowed: 'yes' }).allowed).toBe('yes');
  });
});

describe('enumVariable', () => {
  const mode = enumVariable({ name: 'GOV_MODE', description: 'd', default: 'enforce', values: ['enforce', 'dry_run'] as const });
  it('parses', () => expect(mode.parse('dry_run')).toBe('dry_run'));
  it('refuses', () => {
    expect(problemOf(() => mode.parse('DRY_RUN')).message).toBe('GOV_MODE="DRY_RUN" is not allowed: it is not one of the allowed words; allowed: one of enforce, dry_run');
  });
  it('custom allowed text', () => {
    expect(enumVariable({ name: 'X', description: 'd', default: 'a', values: ['a'], allowed: 'a only' }).allowed).toBe('a only');
  });
});

describe('stringVariable', () => {
  it('with a default refuses empty', () => {
    const v = stringVariable({ name: 'GOV_GROUP', description: 'd', default: 'governor' });
    expect(v).toMatchObject({ defaultValue: 'governor', defaultText: 'governor', allowed: 'any text', secret: false });
    expect(problemOf(() => v.parse('')).reason).toBe('the value is empty (remove the variable to use the default governor)');
    expect(v.parse('g2')).toBe('g2');
  });

  it('without a default is optional: empty means unset', () => {
    const v = stringVariable({ name: 'REDIS_USERNAME', description: 'd' });
    expect(v).toMatchObject({ defaultValue: undefined, defaultText: '' });
    expect(v.parse('')).toBeUndefined();
    expect(v.parse('alice')).toBe('alice');
  });

  it('checks the pattern', () => {
    const v = stringVariable({ name: 'X', description: 'd', default: 'a', pattern: /^[a-z]+$/ });
    expect(v.allowed).toBe('text matching ^[a-z]+$');
    expect(problemOf(() => v.parse('A')).reason).toBe('it does not have the expected form');
  });

  it('masks secrets and allows " #" inside them', () => {
    const v = stringVariable({ name: 'REDIS_PASSWORD', description: 'd', secret: true });
    expect(v.parse('p #1')).toBe('p #1');
    const err = problemOf(() => v.parse(' pw'));
    expect(err.value).toBe('***');
    expect(err.message).toBe('REDIS_PASSWORD="***" is not allowed: leading or trailing whitespace is not allowed; allowed: any text');
    expect(err.message).not.toContain('pw');
  });
});
