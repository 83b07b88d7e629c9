// How the throwaway-Redis helper chooses between a container and a redis-server process. Needs
// no container engine: a fake one (an HTTP server on a unix socket) answers where one is needed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import {
  DEFAULT_REDIS_IMAGE, decideContainerEngine, engineGet, engineSocketCandidates, findEngineEndpoint, startThrowawayRedis,
  type EngineRequest, type ThrowawayRedis,
} from './throwaway-redis';

const SAVED = { ...process.env };
const CONTROLLED = ['DOCKER_HOST', 'TEST_REDIS_URL', 'TEST_REDIS_IMAGE', 'TEST_REDIS_REQUIRE_CONTAINER', 'REDIS_SERVER_BIN'];
function restoreEnv(): void {
  for (const k of CONTROLLED) {
    if (SAVED[k] === undefined) delete process.env[k];
    else process.env[k] = SAVED[k];
  }
}
afterEach(restoreEnv);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'throwaway-engine-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fake Docker API on a unix socket: answers /_ping and image inspection as told. */
async function fakeEngine(name: string, answers: { ping?: number; image?: number }): Promise<{ socket: string; paths: string[]; close: () => Promise<void> }> {
  const socket = join(dir, `${name}.sock`);
  const paths: string[] = [];
  const server: Server = createServer((req, res) => {
    paths.push(req.url ?? '');
    if (req.url === '/_ping') {
      res.statusCode = answers.ping ?? 200;
      res.end(res.statusCode === 200 ? 'OK' : 'engine unwell');
    } else if (req.url?.startsWith('/images/')) {
      res.statusCode = answers.image ?? 200;
      res.end(res.statusCode === 200 ? '{"Id":"sha256:0"}' : '{"message":"no such image"}');
    } else {
      res.statusCode = 500;
      res.end('{"message":"this fake engine only answers /_ping and /images"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return { socket, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('findEngineEndpoint', () => {
  const none = () => false;

  it('takes DOCKER_HOST as given, without looking for sockets', () => {
    expect(findEngineEndpoint({ DOCKER_HOST: 'tcp://127.0.0.1:2375' }, () => true)).toEqual({ dockerHost: 'tcp://127.0.0.1:2375', source: 'DOCKER_HOST' });
  });

  it("looks for Docker's socket, then rootless podman's, then rootful podman's", () => {
    const env = { XDG_RUNTIME_DIR: '/run/user/1000' };
    expect(engineSocketCandidates(env)).toEqual(['/var/run/docker.sock', '/run/user/1000/podman/podman.sock', '/run/podman/podman.sock']);
    expect(engineSocketCandidates({})).toEqual(['/var/run/docker.sock', '/run/podman/podman.sock']);
    const only = (path: string) => (p: string) => p === path;
    expect(findEngineEndpoint(env, only('/run/podman/podman.sock'))).toEqual({ dockerHost: 'unix:///run/podman/podman.sock', source: '/run/podman/podman.sock' });
    expect(findEngineEndpoint(env, only('/run/user/1000/podman/podman.sock'))).toMatchObject({ dockerHost: 'unix:///run/user/1000/podman/podman.sock' });
    expect(findEngineEndpoint(env, () => true)).toMatchObject({ dockerHost: 'unix:///var/run/docker.sock' });
  });

  it('says which places it looked at when there is none', () => {
    expect(findEngineEndpoint({}, none)).toBe('no container engine: DOCKER_HOST is unset and none of /var/run/docker.sock, /run/podman/podman.sock exists');
  });
});

describe('decideContainerEngine', () => {
  const answering = (ping: number, image: number, body = ''): EngineRequest => async (_host, path) => ({ status: path === '/_ping' ? ping : image, body });

  it('uses an engine that answers and has the image; TEST_REDIS_IMAGE picks another image', async () => {
    const env = { DOCKER_HOST: 'unix:///x.sock' };
    expect(await decideContainerEngine(env, { get: answering(200, 200) })).toEqual({ use: true, dockerHost: 'unix:///x.sock', source: 'DOCKER_HOST', image: DEFAULT_REDIS_IMAGE });
    expect(await decideContainerEngine({ ...env, TEST_REDIS_IMAGE: 'redis:7.4' }, { get: answering(200, 200) })).toMatchObject({ use: true, image: 'redis:7.4' });
    expect(DEFAULT_REDIS_IMAGE).toBe('redis:7-bookworm'); // the compose file's, built locally by test:containers
  });

  it('gives the reason: no engine, an engine error with its message, or a missing image (never pulled)', async () => {
    expect(await decideContainerEngine({}, { exists: () => false })).toEqual({ use: false, reason: expect.stringMatching(/^no container engine: /) });
    const refusing: EngineRequest = async () => {
      throw new Error('connect ECONNREFUSED /run/podman/podman.sock');
    };
    expect(await decideContainerEngine({}, { exists: (p) => p === '/run/podman/podman.sock', get: refusing })).toEqual({
      use: false, reason: 'container engine error at unix:///run/podman/podman.sock: connect ECONNREFUSED /run/podman/podman.sock',
    });
    expect(await decideContainerEngine({ DOCKER_HOST: 'unix:///d.sock' }, { get: answering(500, 200, 'boom') })).toEqual({
      use: false, reason: 'container engine error at unix:///d.sock (DOCKER_HOST): /_ping answered 500 boom',
    });
    const missing = await decideContainerEngine({ DOCKER_HOST: 'unix:///d.sock' }, { get: answering(200, 404) });
    expect(missing).toEqual({ use: false, reason: expect.stringContaining('has no image redis:7-bookworm (not pulled by tests') });
  });

  it('talks to a real socket: a fake engine answers; a socket file nobody listens on is an engine error', async () => {
    const engine = await fakeEngine('ok', {});
    try {
      expect(await decideContainerEngine({ DOCKER_HOST: `unix://${engine.socket}` })).toMatchObject({ use: true, image: DEFAULT_REDIS_IMAGE });
      expect(engine.paths).toEqual(['/_ping', `/images/${encodeURIComponent(DEFAULT_REDIS_IMAGE)}/json`]);
    } finally {
      await engine.close();
    }
    const stale = join(dir, 'stale.sock'); // a socket path that exists with nobody behind it
    writeFileSync(stale, '');
    const refused = await decideContainerEngine({ DOCKER_HOST: `unix://${stale}` });
    expect(refused).toEqual({ use: false, reason: expect.stringMatching(new RegExp(`^container engine error at unix://${stale} \\(DOCKER_HOST\\): connect (ECONNREFUSED|ENOTSOCK)`)) });
    await expect(engineGet('ssh://host', '/_ping', 100)).rejects.toThrow(/unsupported DOCKER_HOST/);
  });
});

describe('startThrowawayRedis without a usable engine', () => {
  let redis: ThrowawayRedis | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });
  beforeEach(() => {
    delete process.env['TEST_REDIS_URL'];
    delete process.env['TEST_REDIS_REQUIRE_CONTAINER'];
    delete process.env['REDIS_SERVER_BIN'];
  });

  it('falls back to a redis-server process and says why, once per logger', async () => {
    process.env['DOCKER_HOST'] = `unix://${join(dir, 'absent.sock')}`;
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    redis = await startThrowawayRedis({ log });
    expect(redis.kind).toBe('process');
    const second = await startThrowawayRedis({ log });
    await second.stop();
    expect(lines).toEqual([`throwaway Redis: using a redis-server process, not a container: container engine error at unix://${join(dir, 'absent.sock')} (DOCKER_HOST): connect ENOENT ${join(dir, 'absent.sock')}`]);
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('falls back when the engine lacks the image, naming it', async () => {
    const engine = await fakeEngine('noimage', { image: 404 });
    try {
      process.env['DOCKER_HOST'] = `unix://${engine.socket}`;
      const lines: string[] = [];
      redis = await startThrowawayRedis({ log: (l) => lines.push(l) });
      expect(redis.kind).toBe('process');
      expect(lines).toEqual([expect.stringContaining('has no image redis:7-bookworm')]);
    } finally {
      await engine.close();
    }
  });

  it('loads testcontainers under Jest (require, not import()): an engine that fails later is reported with its message', async () => {
    // /_ping and the image answer; testcontainers' own first call (/info) gets a 500 from the fake.
    const engine = await fakeEngine('broken', {});
    try {
      process.env['DOCKER_HOST'] = `unix://${engine.socket}`;
      const lines: string[] = [];
      // A module registry of its own: testcontainers keeps the first DOCKER_HOST it saw for the
      // life of the process, which must not be this fake one for the test below.
      await jest.isolateModulesAsync(async () => {
        const isolated = (require('./throwaway-redis') as typeof import('./throwaway-redis')).startThrowawayRedis;
        expect(isolated).not.toBe(startThrowawayRedis);
        redis = await isolated({ log: (l) => lines.push(l) });
      });
      expect(redis?.kind).toBe('process');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^throwaway Redis: using a redis-server process, not a container: container engine error at unix:\/\//);
      expect(lines[0]).not.toMatch(/experimental-vm-modules|dynamic import|ERR_VM/i);
      expect(engine.paths.length).toBeGreaterThan(2); // testcontainers did talk to it
    } finally {
      await engine.close();
    }
  });

  it('TEST_REDIS_REQUIRE_CONTAINER=1 turns the fallback into an error with the reason', async () => {
    process.env['DOCKER_HOST'] = `unix://${join(dir, 'absent.sock')}`;
    process.env['TEST_REDIS_REQUIRE_CONTAINER'] = '1';
    await expect(startThrowawayRedis({ log: () => undefined })).rejects.toThrow(/not a container: container engine error .*ENOENT.*\(TEST_REDIS_REQUIRE_CONTAINER=1\)/);
  });

  it('a specific server binary is never replaced by a container', async () => {
    process.env['REDIS_SERVER_BIN'] = 'redis-server';
    const lines: string[] = [];
    redis = await startThrowawayRedis({ log: (l) => lines.push(l) });
    expect(redis.kind).toBe('process');
    expect(lines).toEqual(['throwaway Redis: using a redis-server process, not a container: a specific server binary was asked for (REDIS_SERVER_BIN=redis-server)']);
  });
});

describe('startThrowawayRedis with the environment as it is', () => {
  it('uses the container engine when one answers with the image, else a process and one line why', async () => {
    delete process.env['TEST_REDIS_URL'];
    const decision = await decideContainerEngine();
    const lines: string[] = [];
    const redis = await startThrowawayRedis({ log: (l) => lines.push(l), appendOnly: true });
    try {
      if (decision.use && !process.env['REDIS_SERVER_BIN']) {
        // `npm run test:containers` runs this with podman's socket answering
        expect(redis.kind).toBe('container');
        expect(lines).toEqual([]);
      } else {
        expect(redis.kind).toBe('process');
        expect(lines).toHaveLength(1);
      }
      const client = new Redis(redis.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
      await client.set('k', 'v');
      await redis.kill();
      await redis.restart();
      expect(await client.get('k')).toBe('v'); // same address, append-only file kept
      client.disconnect();
    } finally {
      await redis.stop();
    }
  });
});
