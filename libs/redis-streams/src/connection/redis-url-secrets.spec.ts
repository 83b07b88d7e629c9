import { redactRedisUrl, RedisSettingsError, resolveRedisEndpoint } from './redis-settings';
import { redisClientOptions } from './create-redis-client';

// Hostile or sloppy REDIS_URL values: whatever is wrong, the error names REDIS_URL and never
// contains the password (found by e2e/src/security.test.ts against the built services).
const SECRET = 'S3CR3T-pw';

describe('REDIS_URL with awkward passwords', () => {
  it.each([
    ['an unencoded "/" in the password', `redis://:pa/ss-${SECRET}@127.0.0.1:6379`],
    ['an unencoded "/" and "@" in the password', `redis://u:p@a/ss-${SECRET}@127.0.0.1:6379`],
    ['an unclosed IPv6 bracket', `redis://:${SECRET}@[::1:6379`],
    ['a port out of range', `redis://:${SECRET}@127.0.0.1:99999`],
  ])('%s: RedisSettingsError naming REDIS_URL, password masked', (_what, url) => {
    let error: unknown;
    try {
      resolveRedisEndpoint({ url });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RedisSettingsError);
    expect((error as Error).message).toMatch(/^REDIS_URL /);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('a malformed percent-escape is a RedisSettingsError (exit 78 path), not a URIError', () => {
    expect(() => resolveRedisEndpoint({ url: `redis://:p%zz${SECRET}@127.0.0.1:6379` })).toThrow(RedisSettingsError);
    expect(() => resolveRedisEndpoint({ url: `redis://u%zz:${SECRET}@127.0.0.1:6379` })).toThrow(/REDIS_URL user name has an invalid percent-encoding/);
    expect(() => redisClientOptions({ app: 'a', url: `redis://:p%zz${SECRET}@h:1` }, 'command')).toThrow(expect.objectContaining({ message: expect.not.stringContaining(SECRET) }));
  });

  it('redactRedisUrl masks up to the last "@" of an unparsable URL', () => {
    expect(redactRedisUrl(`redis://:pa/ss@x-${SECRET}@host:1`)).toBe('redis://***@host:1');
    expect(redactRedisUrl(`redis://:pa/ss-${SECRET}@h:1`)).toBe('redis://***@h:1');
  });

  it('a password with "@" encoded as %40 still connects with the decoded password', () => {
    expect(resolveRedisEndpoint({ url: 'redis://svc:p%40ss%2Fw@h:1' }).password).toBe('p@ss/w');
  });
});
