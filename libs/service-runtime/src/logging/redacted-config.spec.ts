import { GOVERNOR_CONFIG, loadServiceConfig, stringVariable, defineServiceConfig } from '@quantum/config';
import { redactedConfig } from './redacted-config';

describe('redactedConfig', () => {
  it('masks secrets and URL credentials for the start log', () => {
    const { values } = loadServiceConfig(GOVERNOR_CONFIG, { env: { REDIS_URL: 'redis://svc:hunter2@h:6379', REDIS_PASSWORD: 'hunter2' } });
    const shown = redactedConfig(values, GOVERNOR_CONFIG);
    expect(shown['REDIS_URL']).toBe('***');
    expect(shown['REDIS_PASSWORD']).toBe('***');
    expect(shown['REDIS_USERNAME']).toBeNull();
    expect(shown['P31_MIN_CONF']).toBe(0.65);
    expect(JSON.stringify(shown)).not.toContain('hunter2');
  });

  it('masks the password of a URL in a value that is not a secret', () => {
    const spec = defineServiceConfig({ A: stringVariable({ name: 'A', description: 'd', default: 'x' }) });
    expect(redactedConfig({ A: 'see redis://u:hunter2@h:1' }, spec)).toEqual({ A: 'see redis://u:***@h:1' });
  });
});
