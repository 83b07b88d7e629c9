import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { findFreePort } from './free-port';
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

export interface ThrowawayRedisOptions extends RedisServerProcessOptions {
  /** Where the one-line reason for not using a container goes (each distinct line once per logger). Default: one line on stderr. */
  log?: (line: string) => void;
}

export const INSTALL_HINT =
  'No Redis for tests: set TEST_REDIS_URL, start a Docker engine, or install redis-server (Debian: apt-get install -y redis-server).';

/**
 * The image of the container kind: the compose file's Redis image (`TEST_REDIS_IMAGE` overrides).
 * It is not pulled: when the engine does not have it, the helper falls back and says so
 * (`docker pull redis:7-bookworm`, or `npm run test:containers`, which builds a local one).
 */
export const DEFAULT_REDIS_IMAGE = 'redis:7-bookworm';
/** Label on every container the helper starts (for finding leftovers: `docker ps -a --filter label=quantum.throwaway-redis`). */
export const CONTAINER_LABEL = 'quantum.throwaway-redis';

/** Sockets tried, in order, when `DOCKER_HOST` is unset: Docker's, then rootless and rootful podman's. */
export function engineSocketCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const sockets = ['/var/run/docker.sock'];
  if (env['XDG_RUNTIME_DIR']) sockets.push(`${env['XDG_RUNTIME_DIR']}/podman/podman.sock`);
  sockets.push('/run/podman/podman.sock');
  return sockets;
}

/** Where a container engine may answer: `DOCKER_HOST` when set, else the first socket that exists. */
export type EngineEndpoint = { readonly dockerHost: string; readonly source: string };

export function findEngineEndpoint(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): EngineEndpoint | string {
  const dockerHost = env['DOCKER_HOST'];
  if (dockerHost) return { dockerHost, source: 'DOCKER_HOST' };
  const candidates = engineSocketCandidates(env);
  const socket = candidates.find((s) => exists(s));
  if (socket) return { dockerHost: `unix://${socket}`, source: socket };
  return `no container engine: DOCKER_HOST is unset and none of ${candidates.join(', ')} exists`;
}

/** One Docker-API request (GET) to the engine; resolves with the status code and body. */
export type EngineRequest = (dockerHost: string, path: string, timeoutMs: number) => Promise<{ status: number; body: string }>;

export const engineGet: EngineRequest = (dockerHost, path, timeoutMs) =>
  new Promise((resolve, reject) => {
    let target: { socketPath: string } | { host: string; port: number };
    if (dockerHost.startsWith('unix://')) target = { socketPath: dockerHost.slice('unix://'.length) };
    else if (dockerHost.startsWith('tcp://') || dockerHost.startsWith('http://')) {
      const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
      target = { host: url.hostname, port: Number(url.port || 2375) };
    } else {
      reject(new Error(`unsupported DOCKER_HOST ${dockerHost} (unix:// or tcp:// without TLS)`));
      return;
    }
    const req = request({ ...target, path, method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });

export type EngineDecision =
  | { readonly use: true; readonly dockerHost: string; readonly source: string; readonly image: string }
  | { readonly use: false; readonly reason: string };

/**
 * Whether the container kind can be used: an engine answers `/_ping` and has the image. Never
 * pulls. The reason says which of these failed, with the engine's own message.
 */
export async function decideContainerEngine(
  env: NodeJS.ProcessEnv = process.env,
  deps: { exists?: (path: string) => boolean; get?: EngineRequest; timeoutMs?: number } = {},
): Promise<EngineDecision> {
  const endpoint = findEngineEndpoint(env, deps.exists);
  if (typeof endpoint === 'string') return { use: false, reason: endpoint };
  const get = deps.get ?? engineGet;
  const timeoutMs = deps.timeoutMs ?? 2000;
  const where = `${endpoint.dockerHost}${endpoint.source === 'DOCKER_HOST' ? ' (DOCKER_HOST)' : ''}`;
  try {
    const ping = await get(endpoint.dockerHost, '/_ping', timeoutMs);
    if (ping.status !== 200) return { use: false, reason: `container engine error at ${where}: /_ping answered ${ping.status} ${ping.body.trim().slice(0, 200)}` };
  } catch (error) {
    return { use: false, reason: `container engine error at ${where}: ${(error as Error).message}` };
  }
  const image = env['TEST_REDIS_IMAGE'] || DEFAULT_REDIS_IMAGE;
  try {
    const inspect = await get(endpoint.dockerHost, `/images/${encodeURIComponent(image)}/json`, timeoutMs);
    if (inspect.status === 404) {
      return { use: false, reason: `the container engine at ${where} has no image ${image} (not pulled by tests: \`docker pull ${image}\`, or \`npm run test:containers\` builds a local one)` };
    }
    if (inspect.status !== 200) return { use: false, reason: `container engine error at ${where}: image ${image}: ${inspect.status} ${inspect.body.trim().slice(0, 200)}` };
  } catch (error) {
    return { use: false, reason: `container engine error at ${where}: image ${image}: ${(error as Error).message}` };
  }
  return { use: true, dockerHost: endpoint.dockerHost, source: endpoint.source, image };
}

/**
 * Gets a throwaway Redis: `TEST_REDIS_URL` when set (never the operator's `REDIS_URL`, so that
 * tests cannot flush a Redis someone is using), else a testcontainers Redis when a container
 * engine answers (Docker, or podman's Docker-compatible socket) and has the image, else a
 * `redis-server` process on a free port, after one line saying why no container. Fails with a
 * one-line install hint when none of them is possible. `TEST_REDIS_REQUIRE_CONTAINER=1` makes
 * "no container" an error instead (`npm run test:containers` runs the helper's tests so).
 */
export async function startThrowawayRedis(options: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
  const { log = warn, ...serverOptions } = options;
  const external = process.env['TEST_REDIS_URL'];
  if (external && !serverOptions.appendOnly && !serverOptions.password && !serverOptions.extraArgs) return externalRedis(external);
  const container = await tryContainer(serverOptions);
  if (typeof container !== 'string') return container;
  const line = `throwaway Redis: using a redis-server process, not a container: ${container}`;
  if (process.env['TEST_REDIS_REQUIRE_CONTAINER'] === '1') throw new Error(`${line} (TEST_REDIS_REQUIRE_CONTAINER=1)`);
  logOnce(log, line);
  if (redisServerAvailable(serverOptions.binary)) return processRedis(await RedisServerProcess.start(serverOptions));
  throw new Error(INSTALL_HINT);
}

/** Straight to stderr: one line per test file, without the code frame Jest adds to console.warn. */
const warn = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
/** Lines each logger was given: a suite that starts many servers says why once, not per server. */
const logged = new WeakMap<(line: string) => void, Set<string>>();
function logOnce(log: (line: string) => void, line: string): void {
  const seen = logged.get(log) ?? new Set<string>();
  logged.set(log, seen);
  if (seen.has(line)) return;
  seen.add(line);
  log(line);
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

/**
 * testcontainers through `require`: it is CommonJS, and a dynamic `import()` (which TypeScript
 * keeps as is under `module: nodenext`) throws under Jest without `--experimental-vm-modules`.
 * Loaded only when an engine answers.
 */
function loadTestcontainers(): typeof import('testcontainers') {
  return require('testcontainers') as typeof import('testcontainers');
}

/** A container, or why not (one line). */
async function tryContainer(options: RedisServerProcessOptions): Promise<ThrowawayRedis | string> {
  if (options.binary || process.env['REDIS_SERVER_BIN']) {
    return `a specific server binary was asked for (${options.binary ? 'binary option' : `REDIS_SERVER_BIN=${process.env['REDIS_SERVER_BIN']}`})`;
  }
  const engine = await decideContainerEngine();
  if (!engine.use) return engine.reason;
  // testcontainers finds the engine through DOCKER_HOST (it does not look for podman's socket).
  process.env['DOCKER_HOST'] = engine.dockerHost;
  // Ryuk (testcontainers' reaper) is one more image to pull; stop() removes the container, and a
  // leftover one carries CONTAINER_LABEL.
  process.env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  try {
    const { GenericContainer, Wait, getContainerRuntimeClient } = loadTestcontainers();
    const command = ['redis-server', '--appendonly', options.appendOnly ? 'yes' : 'no', '--appendfsync', 'always'];
    if (options.password) command.push('--requirepass', options.password);
    command.push(...(options.extraArgs ?? []));
    // A fixed host port, so that restart() comes back on the same address (a dynamic one changes).
    const hostPort = await findFreePort();
    const container = await new GenericContainer(engine.image)
      .withCommand(command)
      .withExposedPorts({ container: 6379, host: hostPort })
      .withLabels({ [CONTAINER_LABEL]: 'true' })
      .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
      .withStartupTimeout(30_000)
      .start();
    const host = container.getHost() === 'localhost' ? '127.0.0.1' : container.getHost();
    const port = container.getMappedPort(6379);
    const auth = options.password ? `:${encodeURIComponent(options.password)}@` : '';
    const client = await getContainerRuntimeClient();
    const handle = client.container.getById(container.getId());
    return {
      url: `redis://${auth}${host}:${port}`, host, port, kind: 'container',
      // SIGKILL, as a crash (a stop would let Redis write and close its files first).
      kill: async () => {
        await handle.kill({ signal: 'SIGKILL' });
        for (let i = 0; i < 100 && (await handle.inspect()).State.Running; i++) await new Promise((r) => setTimeout(r, 50));
      },
      restart: async () => { await container.restart(); },
      stop: async () => { await container.stop({ timeout: 0, remove: true }); },
    };
  } catch (error) {
    return `container engine error at ${engine.dockerHost}: ${((error as Error).message ?? String(error)).split('\n')[0]}`;
  }
}
