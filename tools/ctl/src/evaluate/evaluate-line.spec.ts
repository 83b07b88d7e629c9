import { createLineEvaluator, evaluateLine } from './evaluate-line';
import { EnvSettingsCache, settingsForEnv } from './env-settings';

const A1 = '{"id":"a1","kind":"allocation","now":1700000000,"target":{"target_usd":"1000"},"efficiency":{"efficiency_score":"0.2","confidence":"0.9","ts":"1699999990"}}';
const P1 = '{"id":"p1","kind":"permit","now":1700000000.25,"efficiency":null,"env":{"P31_DOWNSIZE_THRESHOLD":"0.5"}}';

const out = (line: string) => {
  const r = evaluateLine(line);
  return { ...r, json: JSON.parse(r.text) as Record<string, unknown> };
};
const eff = (score: string, confidence = '0.9', ts = '1699999990') => ({ efficiency_score: score, confidence, ts });
const line = (o: Record<string, unknown>) => JSON.stringify(o);

describe('evaluateLine: the contract examples', () => {
  it('allocation a1', () => {
    expect(evaluateLine(A1)).toEqual({ text: '{"id":"a1","reason":"ok","multiplier":0.7,"proposed_target":700,"eff_stale":false}', failed: false });
  });

  it('permit p1', () => {
    expect(evaluateLine(P1)).toEqual({ text: '{"id":"p1","eff_reason":"missing_eff","eff_action":"NONE","eff_factor":1,"extra_cooldown_sec":0,"eff_stale":false}', failed: false });
  });
});

describe('evaluateLine: permit', () => {
  it.each([
    ['0.2', 'DOWNSIZE', 0.2 / 0.45, 96],
    ['0.0125', 'DOWNSIZE', 0.25, 118],
    ['0.05', 'DOWNSIZE', 0.25, 114],
    ['0.45', 'NONE', 1, 0],
  ])('score %s → %s factor %p cooldown %p (numbers unrounded)', (score, action, factor, cooldown) => {
    const r = out(line({ id: 'p', kind: 'permit', now: 1700000000, efficiency: eff(score) }));
    expect(r.json).toEqual({ id: 'p', eff_reason: 'ok', eff_action: action, eff_factor: factor, extra_cooldown_sec: cooldown, eff_stale: false });
  });

  it('uses P31_EFF_TTL_SEC as the age limit', () => {
    const base = { id: 'p', kind: 'permit', now: 1700000000, efficiency: eff('0.2', '0.9', '1699999000') };
    expect(out(line(base)).json).toMatchObject({ eff_reason: 'stale_eff', eff_stale: true, eff_action: 'NONE' });
    expect(out(line({ ...base, env: { P31_EFF_TTL_SEC: '1000' } })).json).toMatchObject({ eff_reason: 'ok', eff_stale: false, eff_action: 'DOWNSIZE' });
  });

  it('env applies to its own line only', () => {
    const base = { id: 'p', kind: 'permit', now: 1700000000, efficiency: eff('0.5') };
    expect(out(line({ ...base, env: { P31_DOWNSIZE_THRESHOLD: '0.6' } })).json).toMatchObject({ eff_action: 'DOWNSIZE' });
    expect(out(line(base)).json).toMatchObject({ eff_action: 'NONE' });
  });

  it('ignores a target on a permit line', () => {
    expect(out(line({ id: 'p', kind: 'permit', now: 1, efficiency: null, target: { target_usd: '1' } })).failed).toBe(false);
  });
});

describe('evaluateLine: allocation', () => {
  it.each([
    ['0', 0.5],
    ['0.5', 1],
    ['1', 1.5],
  ])('score %s → multiplier %p', (score, m) => {
    expect(out(line({ id: 'a', kind: 'allocation', now: 1700000000, target: { target_usd: '100' }, efficiency: eff(score) })).json).toEqual({ id: 'a', reason: 'ok', multiplier: m, proposed_target: 100 * m, eff_stale: false });
  });

  it('invalid target → proposed_target null', () => {
    expect(out(line({ id: 'a', kind: 'allocation', now: 1700000000, target: { target_usd: '-1' }, efficiency: eff('1') })).json).toEqual({ id: 'a', reason: 'invalid_target', multiplier: 1.5, proposed_target: null, eff_stale: false });
  });

  it('stale and low confidence', () => {
    const base = { id: 'a', kind: 'allocation', now: 1700000000, target: { target_usd: '100' } };
    expect(out(line({ ...base, efficiency: eff('1', '0.9', '1699999399.999999') })).json).toEqual({ id: 'a', reason: 'stale_eff', multiplier: 1, proposed_target: 100, eff_stale: true });
    expect(out(line({ ...base, efficiency: eff('1', '0.9', '1699999400') })).json).toMatchObject({ reason: 'ok' });
    expect(out(line({ ...base, efficiency: eff('1', '0.6') })).json).toMatchObject({ reason: 'low_conf', eff_stale: false });
    expect(out(line({ ...base, efficiency: eff('1', '0.6'), env: { P31_MIN_CONF: '0.5' } })).json).toMatchObject({ reason: 'ok', multiplier: 1.5 });
    expect(out(line({ ...base, efficiency: { efficiency_score: 'NaN', confidence: '0.9', ts: '1699999990' } })).json).toMatchObject({ reason: 'invalid_eff', multiplier: 1 });
  });

  it('env with allocation variables', () => {
    const r = out(line({ id: 'a', kind: 'allocation', now: 1700000000, target: { target_usd: '100' }, efficiency: eff('1'), env: { P31_MAX_MULT: '3', P31_SCALE: '4' } }));
    expect(r.json).toMatchObject({ multiplier: 3, proposed_target: 300 });
  });

  it('unicode and quotes in id are echoed exactly', () => {
    const id = 'a"\\ü\u2028';
    expect(out(line({ id, kind: 'allocation', now: 1, target: { target_usd: '1' }, efficiency: null })).json.id).toBe(id);
  });
});

describe('evaluateLine: errors', () => {
  it.each([
    ['{', null, /^invalid JSON: /],
    ['[1]', null, /^a line must be a JSON object$/],
    ['"x"', null, /^a line must be a JSON object$/],
    ['null', null, /^a line must be a JSON object$/],
    ['{"kind":"permit"}', null, /^id is missing$/],
    ['{"id":5,"kind":"permit"}', null, /^id must be a string$/],
    ['{"id":"x","kind":"nope","now":1,"efficiency":null}', 'x', /^kind must be "allocation" or "permit"$/],
    ['{"id":"x","kind":"permit","now":"1","efficiency":null}', 'x', /^now must be a number/],
    ['{"id":"x","kind":"permit","now":1}', 'x', /^efficiency is missing/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":[]}', 'x', /^efficiency must be an object of strings or null$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":{"ts":1}}', 'x', /^efficiency\.ts must be a string or null$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":"P31_MIN_CONF=1"}', 'x', /^env must be an object of strings$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":0.5}}', 'x', /^env\.P31_MIN_CONF must be a string$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"evn":{}}', 'x', /^unknown field "evn"/],
    ['{"id":"x","kind":"allocation","now":1,"efficiency":null}', 'x', /^target is missing/],
    ['{"id":"x","kind":"allocation","now":1,"efficiency":null,"target":null}', 'x', /^target must be an object of strings$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"0.65 # note"}}', 'x', /^env: P31_MIN_CONF="0\.65 # note" is not allowed: an inline comment/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":""}}', 'x', /^env: P31_MIN_CONF="" is not allowed: the value is empty/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"abc"}}', 'x', /^env: P31_MIN_CONF="abc" is not allowed: it is not a plain decimal number; allowed: a decimal from 0 to 1$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"NaN"}}', 'x', /not a plain decimal/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"Infinity"}}', 'x', /not a plain decimal/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"2"}}', 'x', /it is above 1/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_ENFORCE_DOWNSIZE":"no"}}', 'x', /it is not a boolean/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_MULT":"2"}}', 'x', /^env: P31_MIN_MULT="2" and P31_MAX_MULT="1\.5" are not allowed together; allowed: P31_MIN_MULT <= P31_MAX_MULT$/],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"NOPE":"1"}}', 'x', /^env: unknown variable NOPE /],
    ['{"id":"x","kind":"permit","now":1,"efficiency":null,"env":{"NOPE":"1","NADA":"2"}}', 'x', /^env: unknown variables NOPE, NADA /],
  ])('%s → id %p', (input, id, error) => {
    const r = evaluateLine(input);
    expect(r.failed).toBe(true);
    const json = JSON.parse(r.text) as { id: unknown; error: string };
    expect(Object.keys(json)).toEqual(['id', 'error']);
    expect(json.id).toBe(id);
    expect(json.error).toMatch(error);
  });

  it('a variable shared by both services is reported once', () => {
    const r = out(line({ id: 'x', kind: 'permit', now: 1, efficiency: null, env: { P31_MIN_CONF: 'abc', P31_STALE_SEC: '0', GOV_MODE: 'x' } }));
    expect((r.json.error as string).split(' | ')).toHaveLength(3);
  });

  it('env null means no env', () => {
    expect(evaluateLine('{"id":"x","kind":"permit","now":1,"efficiency":null,"env":null}').failed).toBe(false);
  });
});

describe('settings cache', () => {
  it('resolves each distinct env once and gives the same object back', () => {
    const cache = new EnvSettingsCache();
    const a = cache.get({ P31_MIN_CONF: '0.5' });
    expect(cache.get({ P31_MIN_CONF: '0.5' })).toBe(a);
    expect(cache.get({ P31_MIN_CONF: '0.6' })).not.toBe(a);
    expect(cache.defaults).toEqual(settingsForEnv({}));
  });

  it('stays bounded', () => {
    const cache = new EnvSettingsCache();
    for (let i = 0; i <= 10_000; i++) cache.get({ P31_MAX_FUTURE_SKEW_SEC: String(i) });
    expect(cache.get({ P31_MAX_FUTURE_SKEW_SEC: '7' }).ok).toBe(true);
  });

  it('separate evaluators are independent and deterministic', () => {
    const e1 = createLineEvaluator();
    const e2 = createLineEvaluator();
    for (const l of [A1, P1, '{']) expect(e1(l)).toEqual(e2(l));
  });
});
