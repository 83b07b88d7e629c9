import { booleanVariable, decimalVariable, enumVariable, integerVariable, stringVariable } from './builders';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const NO_SPACES = /^\S+$/;
export const KEY_PATTERN = NO_SPACES;
export const KEY_ALLOWED = 'a Redis key name (no spaces)';

/** A Redis key name or key prefix (no spaces). */
export function keyVariable(name: string, description: string, defaultValue: string) {
  return stringVariable({ name, description, default: defaultValue, pattern: KEY_PATTERN, allowed: KEY_ALLOWED });
}

/** Whole seconds above 0 (TTLs and age limits). */
export function wholeSecondsVariable(name: string, description: string, defaultValue: number) {
  return integerVariable({ name, description, default: defaultValue, minExclusive: 0, allowed: 'a whole number of seconds above 0' });
}

/** The variables both services read: Redis connection, metrics endpoint and series lifetime, log level. */
export function commonVariables(metricsPort: number) {
  return {
    REDIS_URL: stringVariable({
      name: 'REDIS_URL',
      description: 'Redis URL (redis:// or rediss://); when set it wins over REDIS_HOST/REDIS_PORT/REDIS_DB; may embed a password',
      pattern: /^rediss?:\/\/\S+$/,
      allowed: 'a redis:// or rediss:// URL',
      secret: true,
    }),
    REDIS_HOST: stringVariable({ name: 'REDIS_HOST', description: 'Redis host name or address', default: 'localhost', pattern: NO_SPACES, allowed: 'a host name or IP address' }),
    REDIS_PORT: integerVariable({ name: 'REDIS_PORT', description: 'Redis TCP port', default: 6379, min: 1, max: 65535 }),
    REDIS_DB: integerVariable({ name: 'REDIS_DB', description: 'Redis logical database number', default: 0, min: 0, max: 15 }),
    REDIS_USERNAME: stringVariable({ name: 'REDIS_USERNAME', description: 'Redis ACL user name (optional)', pattern: NO_SPACES, allowed: 'a user name (no spaces)' }),
    REDIS_PASSWORD: stringVariable({ name: 'REDIS_PASSWORD', description: 'Redis password (optional)', secret: true, allowed: 'any text' }),
    REDIS_TLS: booleanVariable({ name: 'REDIS_TLS', description: 'connect to Redis over TLS', default: false }),
    REDIS_TLS_CA_FILE: stringVariable({ name: 'REDIS_TLS_CA_FILE', description: 'PEM file of the CA that signed the Redis certificate (optional)', allowed: 'a file path' }),
    METRICS_HOST: stringVariable({ name: 'METRICS_HOST', description: 'address the /metrics, /healthz and /readyz server listens on', default: '0.0.0.0', pattern: NO_SPACES, allowed: 'a host name or IP address' }),
    METRICS_PORT: integerVariable({ name: 'METRICS_PORT', description: 'port of the /metrics, /healthz and /readyz server', default: metricsPort, min: 1, max: 65535 }),
    METRICS_SYMBOL_IDLE_SEC: wholeSecondsVariable('METRICS_SYMBOL_IDLE_SEC', 'per-symbol metric series of a symbol with no update for this long are removed', 3600),
    LOG_LEVEL: enumVariable<LogLevel>({ name: 'LOG_LEVEL', description: 'lowest level of the JSON logs written to stdout', default: 'info', values: LOG_LEVELS }),
  };
}

/** P31 efficiency gates shared by both services (the staleness limit has a different name in each). */
export function efficiencyGateVariables() {
  return {
    P31_MIN_CONF: decimalVariable({ name: 'P31_MIN_CONF', description: 'an efficiency reading with lower confidence is not used (low_conf)', default: 0.65, min: 0, max: 1 }),
    P31_MAX_FUTURE_SKEW_SEC: decimalVariable({ name: 'P31_MAX_FUTURE_SKEW_SEC', description: 'an efficiency ts further than this in the future is invalid (invalid_eff)', default: 60, min: 0 }),
  };
}

