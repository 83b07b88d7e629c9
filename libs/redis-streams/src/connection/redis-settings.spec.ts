import { describeRedisEndpoint, redactRedisUrl, redisSettingsFromConfig, resolveRedisEndpoint } from './redis-settings';
import { connectionName, redisClientOptions } from './create-redis-client';
import { reconnectDelay } from './reconnect-delay';

describe('resolveRedisEndpoint', () => {
  it('reads host, port, db and credentials from a URL', () => {
    expect(resolveRedisEndpoint({ url: 'redis://svc:p%40ss@cache.internal:6380/2' })).toEqual({
      host: 'cache.internal', port: 6380, db: 2, username: 'svc', password: 'p@ss', tls: false, tlsCaFile: undefined,
    });
  });

  it('fills in user and password the URL leaves out, and rediss means TLS', () => {
    const endpoint = resolveRedisEndpoint({ url: 'rediss://cache:6379', username: 'gov', password: 'pw' });
    expect(endpoint).toMatchObject({ username: 'gov', password: 'pw', tls: true, db: 0 });
  });

  it('uses host/port/db without a URL; a CA file implies TLS', () => {
    expect(resolveRedisEndpoint({ host: 'h', port: 7000, db: 3, tlsCaFile: '/ca.pem' })).toMatchObject({ host: 'h', port: 7000, db: 3, tls: true });
  });

  it('refuses a bad URL, scheme, db or port with the setting named and no password', () => {
    expect(() => resolveRedisEndpoint({ url: 'http://x' })).toThrow(/REDIS_URL must start with redis/);
    expect(() => resolveRedisEndpoint({ url: 'redis://:pw@h/abc' })).toThrow(/REDIS_URL database path/);
    expect(() => resolveRedisEndpoint({ port: 0 })).toThrow(/REDIS_PORT/);
    expect(() => resolveRedisEndpoint({ url: 'redis://u:topsecret@ho st' })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('topsecret') }));
  });
});

describe('redactRedisUrl / describeRedisEndpoint', () => {
  it('masks the password and keeps the rest', () => {
    expect(redactRedisUrl('redis://svc:topsecret@h:1/0')).toBe('redis://svc:***@h:1/0');
    expect(redactRedisUrl('redis://h:1')).toBe('redis://h:1');
    expect(redactRedisUrl('not a url://u:topsecret@x')).not.toContain('topsecret');
    expect(describeRedisEndpoint(resolveRedisEndpoint({ url: 'redis://svc:topsecret@h:1/0' }))).toBe('redis://svc@h:1/0 (password set)');
  });
});

describe('redisClientOptions', () => {
  it('fails fast for the command role and waits for the blocking role', () => {
    const command = redisClientOptions({ app: 'allocation-target', host: 'h' }, 'command');
    expect(command).toMatchObject({ maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false });
    expect(command.connectionName).toMatch(/^allocation-target:.+:command$/);
    const blocking = redisClientOptions({ app: 'governor', host: 'h' }, 'blocking');
    expect(blocking).toMatchObject({ maxRetriesPerRequest: null, enableOfflineQueue: true });
    const read = redisClientOptions({ app: 'governor', host: 'h' }, 'read');
    expect(read).toMatchObject({ maxRetriesPerRequest: 0, enableOfflineQueue: false, autoResendUnfulfilledCommands: false });
    expect(read.connectionName).toMatch(/^governor:.+:read$/);
  });

  it('gives every command a deadline (blocking reads 5 s more) and sends no CLIENT SETINFO', () => {
    expect(redisClientOptions({ app: 'a', host: 'h' }, 'command')).toMatchObject({ commandTimeout: 10_000, disableClientInfo: true });
    expect(redisClientOptions({ app: 'a', host: 'h' }, 'blocking')).toMatchObject({ commandTimeout: 15_000, disableClientInfo: true });
  });

  it('names connections with characters CLIENT SETNAME accepts', () => {
    expect(connectionName('governor', 'blocking', 'my host')).toBe('governor:my_host:blocking');
  });

  it('reports an unreadable CA file by path', () => {
    expect(() => redisClientOptions({ app: 'a', tlsCaFile: '/nonexistent/ca.pem' }, 'command')).toThrow(/CA file \/nonexistent\/ca.pem cannot be read/);
  });
});

describe('reconnectDelay', () => {
  it('doubles from 100 ms to a 1 s cap, jitter only shortens', () => {
    const noJitter = reconnectDelay({ random: () => 0 });
    expect([1, 2, 3, 4, 5, 6, 7, 50].map(noJitter)).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000]);
    const maxJitter = reconnectDelay({ random: () => 0.999999 });
    expect(maxJitter(7)).toBe(800);
    expect(reconnectDelay({ random: () => 0, maxMs: 5000 })(7)).toBe(5000);
  });
});

describe('redisSettingsFromConfig', () => {
  it('maps the catalogue variables', () => {
    const settings = redisSettingsFromConfig({ REDIS_HOST: 'h', REDIS_PORT: 7000, REDIS_DB: 1, REDIS_USERNAME: 'svc', REDIS_PASSWORD: 'pw', REDIS_TLS: false });
    expect(resolveRedisEndpoint(settings)).toMatchObject({ host: 'h', port: 7000, db: 1, username: 'svc', password: 'pw', tls: false });
  });
});
