import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import Redis, { type RedisOptions } from 'ioredis';
import { reconnectDelay } from './reconnect-delay';
import { describeRedisEndpoint, RedisSettingsError, resolveRedisEndpoint, type RedisSettings } from './redis-settings';

/**
 * - `command`: the client of a service loop or of gate checks. Fails fast while Redis is away
 *   (no offline queue, no replay of commands in flight), so the caller sees the error at once,
 *   reports not ready and retries with its own backoff. A write is never replayed later with a
 *   stale `now`.
 * - `blocking`: a dedicated connection for `XREADGROUP ... BLOCK`. Commands wait for the
 *   connection to come back (offline queue on, `maxRetriesPerRequest: null`).
 * - `read`: a second fail-fast connection, like `command`, for reads that must not queue behind
 *   the writes in flight on the command connection (one connection answers in order).
 */
export type RedisClientRole = 'command' | 'blocking' | 'read';

/** The minimal logger the client reports connection events to (a winston logger fits). */
export interface RedisEventLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
}

export interface RedisClientOptions extends RedisSettings {
  /** Application name, used in the connection name `<app>:<host>:<role>` (`CLIENT LIST`). */
  readonly app: string;
  readonly logger?: RedisEventLogger;
  /** Connect only on `connect()` or the first command. */
  readonly lazyConnect?: boolean;
}

/** How long a command may wait for its reply (a decide chunk takes milliseconds). */
export const COMMAND_TIMEOUT_MS = 10_000;

/** Builds the ioredis options for a role; exported so the choices can be inspected and tested. */
export function redisClientOptions(options: RedisClientOptions, role: RedisClientRole): RedisOptions {
  const endpoint = resolveRedisEndpoint(options);
  let tls: RedisOptions['tls'];
  if (endpoint.tls) {
    let ca: Buffer | undefined;
    if (endpoint.tlsCaFile) {
      try {
        ca = readFileSync(endpoint.tlsCaFile);
      } catch (error) {
        throw new RedisSettingsError(`REDIS TLS CA file ${endpoint.tlsCaFile} cannot be read: ${(error as Error).message}`);
      }
    }
    tls = { ...(ca ? { ca } : {}), ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }) };
  }
  const blocking = role === 'blocking';
  return {
    host: endpoint.host,
    port: endpoint.port,
    db: endpoint.db,
    username: endpoint.username,
    password: endpoint.password,
    tls,
    connectionName: connectionName(options.app, role),
    retryStrategy: reconnectDelay(),
    maxRetriesPerRequest: blocking ? null : 0,
    enableOfflineQueue: blocking,
    autoResendUnfulfilledCommands: blocking,
    enableReadyCheck: true,
    connectTimeout: 5_000,
    // a command without a reply fails instead of waiting forever on a hung connection; the
    // blocking role waits up to 5 s in XREADGROUP BLOCK by itself
    commandTimeout: blocking ? COMMAND_TIMEOUT_MS + 5_000 : COMMAND_TIMEOUT_MS,
    keepAlive: 10_000,
    lazyConnect: options.lazyConnect ?? false,
    // no CLIENT SETINFO (sent to servers from 7.2 on): the ACL lines of docs/security.md then
    // work unchanged on Redis 7.0 (whose ACL SETUSER refuses `+client|setinfo` as unknown),
    // Redis 7.2+ and Valkey; the connection name already says who is connected
    disableClientInfo: true,
  };
}

/** `<app>:<host>:<role>`, restricted to characters `CLIENT SETNAME` accepts. */
export function connectionName(app: string, role: RedisClientRole, host = hostname()): string {
  return `${app}:${host}:${role}`.replace(/[^\x21-\x7e]/g, '_');
}

/**
 * An ioredis client for the role (see `RedisClientRole`). It reconnects forever with capped
 * exponential backoff and jitter. Connection errors go to the logger (throttled to state
 * changes), never with the password; without a logger they are swallowed rather than printed by
 * ioredis as "Unhandled error event".
 */
export function createRedisClient(options: RedisClientOptions, role: RedisClientRole): Redis {
  const redisOptions = redisClientOptions(options, role);
  const client = new Redis(redisOptions);
  const target = describeRedisEndpoint(resolveRedisEndpoint(options));
  const logger = options.logger;
  let lastError = '';
  client.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger?.warn('redis connection error', { redis: target, role, error: { name: error.name, message: error.message } });
  });
  client.on('ready', () => {
    lastError = '';
    logger?.info('redis connected', { redis: target, role });
  });
  return client;
}
