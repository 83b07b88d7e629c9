import { PassThrough } from 'node:stream';
import { createLogger } from './create-logger';
import { redactUrlCredentials } from './redact';

function capture(level = 'info') {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { logger: createLogger({ service: 'governor', level, stream }), lines, raw: () => JSON.stringify(lines) };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createLogger', () => {
  it('writes JSON lines with time, level, service, msg and the metadata', async () => {
    const { logger, lines } = capture();
    logger.info('loop done', { symbols: 3 });
    await flush();
    expect(lines).toEqual([{ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', service: 'governor', msg: 'loop done', symbols: 3 }]);
    expect(Object.keys(lines[0] ?? {}).slice(0, 4)).toEqual(['time', 'level', 'service', 'msg']);
  });

  it('logs errors as { name, message, stack }', async () => {
    const { logger, lines } = capture();
    const error = new TypeError('boom');
    logger.error('loop failed', { error });
    logger.error(new RangeError('direct'));
    logger.warn('redis failed', new Error('ECONNREFUSED'));
    await flush();
    expect(lines[2]).toMatchObject({ msg: 'redis failed ECONNREFUSED', error: { name: 'Error', message: 'ECONNREFUSED', stack: expect.stringContaining('Error: ECONNREFUSED') } });
    expect(lines[0]).toMatchObject({ level: 'error', msg: 'loop failed', error: { name: 'TypeError', message: 'boom', stack: expect.stringContaining('TypeError: boom') } });
    expect(lines[1]).toMatchObject({ msg: 'direct', error: { name: 'RangeError', message: 'direct' } });
  });

  it('never writes a password: sensitive keys, URLs with credentials, error messages', async () => {
    const { logger, raw } = capture();
    logger.info('connecting to redis://svc:hunter2@cache:6379/0', { password: 'hunter2', redis: { url: 'rediss://:hunter2@h', REDIS_PASSWORD: 'hunter2' } });
    logger.warn('failed', { error: new Error('cannot reach redis://u:hunter2@h') });
    await flush();
    expect(raw()).not.toContain('hunter2');
    expect(raw()).toContain('redis://svc:***@cache:6379/0');
    expect(raw()).toContain('[redacted]');
  });

  it('honours LOG_LEVEL', async () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.debug('hidden');
    logger.warn('shown');
    await flush();
    expect(lines.map((l) => l['msg'])).toEqual(['shown']);
  });
});

describe('redactUrlCredentials', () => {
  it('masks only the password', () => {
    expect(redactUrlCredentials('a redis://u:p@h b https://x:y@z/q')).toBe('a redis://u:***@h b https://x:***@z/q');
    expect(redactUrlCredentials('redis://h:6379')).toBe('redis://h:6379');
  });
});

describe('redactUrlCredentials with unencoded delimiters in the password', () => {
  it('masks up to the last "@" of the token', () => {
    expect(redactUrlCredentials('url redis://:pa/ss-hunter2@h:1 end')).toBe('url redis://:***@h:1 end');
    expect(redactUrlCredentials('redis://u:p@ss/x#y?hunter2@h:1/0')).toBe('redis://u:***@h:1/0');
    expect(redactUrlCredentials('a redis://u:p@h b https://x:y@z/q')).toBe('a redis://u:***@h b https://x:***@z/q');
  });
});
