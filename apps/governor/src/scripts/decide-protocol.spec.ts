import { DEFAULT_GOVERNOR_SETTINGS } from '../settings';
import { appendDeadLetter, appendExecute, appendSkip, DECIDE_SCRIPT, decideHeader, parseDecideReply, utcDay } from './decide-protocol';

/** A number decide.lua's source states with `pattern`. */
function inScript(pattern: RegExp): number {
  const match = pattern.exec(DECIDE_SCRIPT.source);
  if (!match) throw new Error(`decide.lua has no ${pattern}`);
  return Number(match[1]);
}

describe('decide protocol: the arguments decide.lua reads', () => {
  const now = 1_700_000_000.25;

  it('the header ends where decide.lua starts reading records', () => {
    const header = decideHeader(DEFAULT_GOVERNOR_SETTINGS, now, { stream: 's', group: 'g' });
    expect(header.length + 1).toBe(inScript(/^local FIRST_RECORD = (\d+)$/m));
    expect(header.slice(0, 3)).toEqual(['1700000000.25', '2023-11-14', 'enforce']);
    expect(header.slice(-2)).toEqual(['s', 'g']);
    expect(decideHeader(DEFAULT_GOVERNOR_SETTINGS, now, undefined).slice(-2)).toEqual(['', '']);
  });

  it('each record is as long as decide.lua steps over it', () => {
    const execute: (string | number)[] = [];
    appendExecute(execute, '1-0', 'p', 'BTCUSDT', '', 150, undefined, '{}');
    expect(execute).toEqual(['execute', '1-0', 'p', 'BTCUSDT', '', '150', '', '{}']);
    expect(execute.length).toBe(inScript(/if kind == 'execute' then return i \+ (\d+) end/));
    const skip: (string | number)[] = [];
    appendSkip(skip, '1-0', 'p', 'BTCUSDT', 'decision_skip');
    expect(skip.length).toBe(inScript(/if kind == 'skip' then return i \+ (\d+) end/));
    const dead: (string | number)[] = [];
    appendDeadLetter(dead, '1-0', '', '', 'missing_plan_id', ['a', '1', 'b', '2']);
    expect(dead).toEqual(['dead', '1-0', '', '', 'missing_plan_id', 4, 'a', '1', 'b', '2']);
    expect(dead.length - 4).toBe(inScript(/return i \+ (\d+) \+ tonumber\(ARGV\[i \+ 5\]\)/));
  });

  it('utcDay is the UTC day of an epoch second', () => {
    expect(utcDay(1_700_000_000)).toBe('2023-11-14');
    expect(utcDay(1_700_006_399.9)).toBe('2023-11-14');
    expect(utcDay(1_700_006_400)).toBe('2023-11-15');
  });
});

describe('parseDecideReply', () => {
  it('outcome and reason per entry, and whether the script acknowledged', () => {
    expect(parseDecideReply([1, 'permitted\nok\nblocked\nsymbol_cooldown'], 2)).toEqual({ acked: true, pieces: ['permitted', 'ok', 'blocked', 'symbol_cooldown'] });
    expect(parseDecideReply([0, 'skipped\ndecision_skip'], 1)).toEqual({ acked: false, pieces: ['skipped', 'decision_skip'] });
  });

  it('anything else is an Error naming what came', () => {
    expect(parseDecideReply([1, 'permitted\nok'], 2)).toEqual(new Error('unexpected decide script reply for 2 entries: [1,"permitted\\nok"]'));
    expect(parseDecideReply('OK', 1)).toBeInstanceOf(Error);
  });
});
