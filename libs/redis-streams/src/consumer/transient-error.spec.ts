import { isTransientRedisError } from './transient-error';

describe('isTransientRedisError', () => {
  it.each([
    "OOM command not allowed when used memory > 'maxmemory'.",
    "READONLY You can't write against a read only replica.",
    'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSCRIPT.',
    'LOADING Redis is loading the dataset in memory',
    'MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to no.',
    'MISCONF Redis is configured to save RDB snapshots, but it is currently not able to persist on disk.',
    'Connection is closed.',
    "Stream isn't writeable and enableOfflineQueue options is false",
    'Command timed out',
    'Reached the max retries per request limit (which is 20). Refer to "maxRetriesPerRequest" option for details.',
    'read ECONNRESET',
  ])('%s', (message) => {
    expect(isTransientRedisError(new Error(message))).toBe(true);
  });

  it('an error code of the socket', () => {
    expect(isTransientRedisError(Object.assign(new Error('write failed'), { code: 'EPIPE' }))).toBe(true);
  });

  it.each([
    'WRONGTYPE Operation against a key holding the wrong kind of value',
    'ERR gate state at quantum:governor:gate:X is malformed',
    'ERR Error running script (call to f_abc): @user_script:12: too many results to unpack',
    'NOGROUP No such key or consumer group',
    'NOSCRIPT No matching script. Please use EVAL.',
    'unexpected script reply for 3 entries',
  ])('not: %s', (message) => {
    expect(isTransientRedisError(new Error(message))).toBe(false);
  });

  it('not: something that is not an Error', () => {
    expect(isTransientRedisError('OOM')).toBe(false);
    expect(isTransientRedisError(undefined)).toBe(false);
  });
});
