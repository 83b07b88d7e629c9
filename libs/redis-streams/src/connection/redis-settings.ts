/**
 * Where and how to connect, as read from configuration (`REDIS_URL` or `REDIS_HOST`/`REDIS_PORT`/
 * `REDIS_DB`, plus optional ACL user, password and TLS).
 */
export interface RedisSettings {
  /** `redis://[user[:password]@]host[:port][/db]` or `rediss://...` (TLS). Takes precedence over host/port/db. */
  readonly url?: string;
  readonly host?: string;
  readonly port?: number;
  readonly db?: number;
  /** ACL user (Redis 6+). Used when the URL carries no user. */
  readonly username?: string;
  /** Used when the URL carries no password. Never logged. */
  readonly password?: string;
  /** Connect with TLS (implied by a `rediss://` URL). */
  readonly tls?: boolean;
  /** PEM file with the CA that signed the server certificate (implies TLS). */
  readonly tlsCaFile?: string;
}

/** The settings resolved into one endpoint: URL fields merged with the separate ones. */
export interface ResolvedRedisEndpoint {
  readonly host: string;
  readonly port: number;
  readonly db: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly tls: boolean;
  readonly tlsCaFile: string | undefined;
}

/** A connection setting that cannot be used; the message names the setting (never a password). */
export class RedisSettingsError extends Error {
  override readonly name = 'RedisSettingsError';
}

const DEFAULT_PORT = 6379;

/**
 * Merges `url` with the separate settings. Precedence: whatever the URL states wins (host, port,
 * db, user, password); the separate `username`/`password` fill in what the URL leaves out, so a
 * password can come from a secret store while the URL stays in plain config.
 */
export function resolveRedisEndpoint(settings: RedisSettings): ResolvedRedisEndpoint {
  const tlsCaFile = settings.tlsCaFile || undefined;
  if (settings.url) {
    let parsed: URL;
    try {
      parsed = new URL(settings.url);
    } catch {
      throw new RedisSettingsError(`REDIS_URL is not a valid URL: ${redactRedisUrl(settings.url)}`);
    }
    if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
      throw new RedisSettingsError(`REDIS_URL must start with redis:// or rediss://, got ${parsed.protocol}//`);
    }
    const dbText = parsed.pathname.replace(/^\//, '');
    // The path is not echoed: with an unencoded "/" in the password, it holds the rest of the password.
    const db = dbText === '' ? settings.db ?? 0 : parseDb(dbText, 'REDIS_URL database path', false);
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
      port: parsed.port ? Number(parsed.port) : DEFAULT_PORT,
      db,
      username: parsed.username ? decodeUrlPart(parsed.username, 'user name') : settings.username || undefined,
      password: parsed.password ? decodeUrlPart(parsed.password, 'password') : settings.password || undefined,
      tls: parsed.protocol === 'rediss:' || Boolean(settings.tls) || tlsCaFile !== undefined,
      tlsCaFile,
    };
  }
  const port = settings.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RedisSettingsError(`REDIS_PORT must be 1 to 65535, got ${port}`);
  return {
    host: settings.host || '127.0.0.1',
    port,
    db: settings.db === undefined ? 0 : parseDb(String(settings.db), 'REDIS_DB'),
    username: settings.username || undefined,
    password: settings.password || undefined,
    tls: Boolean(settings.tls) || tlsCaFile !== undefined,
    tlsCaFile,
  };
}

/** Percent-decodes a URL's user or password; a malformed escape is a setting error, never a URIError with a stack. */
function decodeUrlPart(text: string, what: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new RedisSettingsError(`REDIS_URL ${what} has an invalid percent-encoding (write % as %25)`);
  }
}

function parseDb(text: string, what: string, echo = true): number {
  if (!/^\d{1,5}$/.test(text)) {
    const got = echo ? `, got "${text}"` : ' (a "/" or "@" in the password must be written %2F or %40)';
    throw new RedisSettingsError(`${what} must be a whole number 0 or more${got}`);
  }
  return Number(text);
}

/**
 * The URL with its password replaced by `***` (user kept), for logs. Unparsable input is masked
 * from `//` up to the **last** `@`: a password may contain `/`, `#`, `?` or `@` (unencoded, which
 * is what usually makes the URL unparsable), so no earlier delimiter can be trusted.
 */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/.*@/s, '//***@');
  }
}

/** A one-line description of the endpoint for start logs: no password, says whether one is used. */
export function describeRedisEndpoint(endpoint: ResolvedRedisEndpoint): string {
  const scheme = endpoint.tls ? 'rediss' : 'redis';
  const user = endpoint.username ? `${endpoint.username}@` : '';
  const auth = endpoint.password ? ' (password set)' : '';
  return `${scheme}://${user}${endpoint.host}:${endpoint.port}/${endpoint.db}${auth}`;
}

/** The catalogue's Redis variables as loaded by the service config. */
export interface RedisConfigValues {
  readonly REDIS_URL?: string | undefined;
  readonly REDIS_HOST?: string | undefined;
  readonly REDIS_PORT?: number | undefined;
  readonly REDIS_DB?: number | undefined;
  readonly REDIS_USERNAME?: string | undefined;
  readonly REDIS_PASSWORD?: string | undefined;
  readonly REDIS_TLS?: boolean | undefined;
  readonly REDIS_TLS_CA_FILE?: string | undefined;
}

/** Maps loaded config values (`REDIS_URL`, `REDIS_HOST`, ...) to `RedisSettings`. */
export function redisSettingsFromConfig(values: RedisConfigValues): RedisSettings {
  return {
    url: values.REDIS_URL,
    host: values.REDIS_HOST,
    port: values.REDIS_PORT,
    db: values.REDIS_DB,
    username: values.REDIS_USERNAME,
    password: values.REDIS_PASSWORD,
    tls: values.REDIS_TLS,
    tlsCaFile: values.REDIS_TLS_CA_FILE,
  };
}
