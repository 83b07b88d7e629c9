import { existsSync } from 'node:fs';
import { RedisServerProcess, redisServerAvailable, type RedisServerProcessOptions } from './redis-server-process';

/** A Redis server that belongs to one test run and is thrown away afterwards. */
export interface ThrowawayRedis {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** How it was obtained: an external URL, a container, or a local process. */
  readonly kind: 'external' | 'container' | 'process';
  /** Crash-stops the server (SIGKILL); `restart()` brings it back on the same address. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export const INSTALL_HINT =
  'No Redis for tests: set TEST_REDIS_URL, start a Docker engine, or install redis-server (Debian: apt-get install -y redis-server).';

/**
 * Gets a throwaway Redis: `TEST_REDIS_URL` when set (never the operator's `REDIS_URL`, so that
 * tests cannot flush a Redis someone is using), else a testcontainers Redis when a Docker engine
 * answers, else a `redis-server` process on a free port. Fails with a one-line install hint
 * when none of them is possible.
 */
export async function startThrowawayRedis(options: RedisServerProcessOptions = {}): Promise<ThrowawayRedis> {
  const external = process.env['TEST_REDIS_URL'];
  if (external && !options.appendOnly && !options.password && !options.extraArgs) return externalRedis(external);
  if (dockerEngineLikely()) {
    const container = await tryContainer(options);
    if (container) return container;
  }
  if (redisServerAvailable(options.binary)) return processRedis(await RedisServerProcess.start(options));
  throw new Error(INSTALL_HINT);
}

function externalRedis(url: string): ThrowawayRedis {
  const parsed = new URL(url);
  const unsupported = async () => {
    throw new Error('an external TEST_REDIS_URL server cannot be killed or restarted by tests');
  };
  return {
    url, host: parsed.hostname, port: Number(parsed.port || 6379), kind: 'external',
    kill: unsupported, restart: unsupported, stop: async () => undefined,
  };
}

function processRedis(server: RedisServerProcess): ThrowawayRedis {
  return {
    url: server.url, host: server.host, port: server.port, kind: 'process',
    kill: () => server.kill(),
    restart: () => server.restart(),
    stop: () => server.stop(),
  };
}

function dockerEngineLikely(): boolean {
  return Boolean(process.env['DOCKER_HOST']) || existsSync('/var/run/docker.sock');
}

async function tryContainer(options: RedisServerProcessOptions): Promise<ThrowawayRedis | undefined> {
  try {
    const { GenericContainer, Wait } = await import('testcontainers');
    const command = ['redis-server', '--appendonly', options.appendOnly ? 'yes' : 'no', '--appendfsync', 'always'];
    if (options.password) command.push('--requirepass', options.password);
    command.push(...(options.extraArgs ?? []));
    const container = await new GenericContainer('redis:7-alpine')
      .withCommand(command)
      .withExposedPorts(6379)
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .start();
    const host = container.getHost();
    const port = container.getMappedPort(6379);
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    return {
      url: `redis://${auth}${host}:${port}`, host, port, kind: 'container',
      kill: async () => { await container.stop({ timeout: 0, remove: false }); },
      restart: async () => { await container.restart(); },
      stop: async () => { await container.stop(); },
    };
  } catch {
    return undefined;
  }
}
