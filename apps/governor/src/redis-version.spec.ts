import { assertRedisVersion } from './redis-version';

describe('assertRedisVersion', () => {
  it.each(['7.0.0', '7.0.15', '7.4.1', '8.0.2', '10.1.0'])('lets Redis %s through', (version) => {
    expect(() => assertRedisVersion(`# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`, 'redis://r:6379')).not.toThrow();
  });

  it.each(['6.2.14', '5.0.7'])('stops at Redis %s, naming the version, the server and what is needed', (version) => {
    expect(() => assertRedisVersion(`# Server\r\nredis_version:${version}\r\n`, 'redis://r:6379')).toThrow(
      `Redis ${version} at redis://r:6379 is too old for the governor: it needs Redis 7.0 or later (the decide script claims each plan with SET ... NX GET)`,
    );
  });

  it('lets a server through that names no version', () => {
    expect(() => assertRedisVersion('# Server\r\nvalkey_mode:standalone\r\n', 'redis://r:6379')).not.toThrow();
  });
});
