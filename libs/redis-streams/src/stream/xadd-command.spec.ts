import { deadLetterCommand } from './dead-letter';
import { xaddCommand } from './xadd-command';
import { describeCommand } from '../batch/redis-command';

describe('xaddCommand', () => {
  it('keeps field order and trims approximately', () => {
    expect(xaddCommand('s', [['b', '1'], ['a', '2']], 100)).toEqual({ name: 'XADD', args: ['s', 'MAXLEN', '~', 100, '*', 'b', '1', 'a', '2'] });
    expect(xaddCommand('s', { x: '1' })).toEqual({ name: 'XADD', args: ['s', '*', 'x', '1'] });
  });

  it('refuses an empty entry and a bad MAXLEN', () => {
    expect(() => xaddCommand('s', [])).toThrow(/at least one field/);
    expect(() => xaddCommand('s', { a: '1' }, -1)).toThrow(/MAXLEN/);
  });
});

describe('deadLetterCommand', () => {
  it('appends error, failed_at and source_id after the original fields', () => {
    const command = deadLetterCommand({ stream: 'dlq', fields: [['plan_id', 'p1'], ['error', 'x']], error: 'bad qty', sourceId: '1-0', failedAt: 1700000000.5 });
    expect(command.args).toEqual(['dlq', '*', 'plan_id', 'p1', 'orig_error', 'x', 'error', 'bad qty', 'failed_at', '1700000000.5', 'source_id', '1-0']);
    expect(describeCommand(command)).toBe('XADD dlq * plan_id p1 ...');
  });
});
