import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './free-port';

export interface RedisServerProcessOptions {
  /** Keep an append-only file so that a restart keeps the data (fault tests). */
  appendOnly?: boolean;
  /** `requirepass` for the default user. */
  password?: string;
  /** Further `redis-server` arguments, e.g. `['--user', 'gov', 'on', '>pw', '~*', '+@all']`. */
  extraArgs?: string[];
  /** Binary to run; defaults to `$REDIS_SERVER_BIN`, else `redis-server` on PATH (e.g. `valkey-server` for the compatibility run). */
  binary?: string;
}

const READY_TIMEOUT_MS = 10_000;

/** The server the tests run: `REDIS_SERVER_BIN` (CI runs every suite once with `valkey-server`), else `redis-server`. */
export function defaultServerBinary(): string {
  return process.env['REDIS_SERVER_BIN'] || 'redis-server';
}

/** Whether a `redis-server` binary can be run on this machine. */
export function redisServerAvailable(binary = defaultServerBinary()): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

/**
 * A `redis-server` child process on a free loopback port with its own temporary directory.
 * It can be killed and started again on the same port and directory, which is what the fault
 * tests need to simulate a Redis restart with (or without) persistence.
 */
export class RedisServerProcess {
  readonly host = '127.0.0.1';
  private child: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'quantum-redis-'));
  private output = '';

  private constructor(
    readonly port: number,
    private readonly options: RedisServerProcessOptions,
  ) {}

  static async start(options: RedisServerProcessOptions = {}): Promise<RedisServerProcess> {
    let lastError: unknown;
    // A port found free can be taken by someone else before redis binds it: try a few.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const server = new RedisServerProcess(await findFreePort(), options);
      try {
        await server.startProcess();
        return server;
      } catch (error) {
        lastError = error;
        await server.stop();
      }
    }
    throw lastError;
  }

  get url(): string {
    const auth = this.options.password ? `:${encodeURIComponent(this.options.password)}@` : '';
    return `redis://${auth}${this.host}:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts the process again after `kill()` or `stop()`, same port and data directory. */
  async restart(): Promise<void> {
    if (this.running) await this.stop({ keepDir: true });
    await this.startProcess();
  }

  /** SIGKILL: no shutdown save, as in a crash. */
  async kill(): Promise<void> {
    await this.terminate('SIGKILL');
  }

  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    await this.terminate('SIGTERM');
    if (!options.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async terminate(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  private startProcess(): Promise<void> {
    const args = [
      '--port', String(this.port),
      '--bind', this.host,
      '--dir', this.dir,
      '--save', '',
      '--appendonly', this.options.appendOnly ? 'yes' : 'no',
      '--appendfsync', 'always',
      '--daemonize', 'no',
      '--loglevel', 'warning',
      ...(this.options.password ? ['--requirepass', this.options.password] : []),
      ...(this.options.extraArgs ?? []),
    ];
    this.output = '';
    const child = spawn(this.options.binary ?? defaultServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-4000)));
    return this.waitUntilAcceptingConnections(child);
  }

  private async waitUntilAcceptingConnections(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`redis-server on port ${this.port} exited (${child.exitCode ?? child.signalCode}): ${this.output.trim()}`);
      }
      if (await this.answersPing()) return;
      if (Date.now() > deadline) throw new Error(`redis-server on port ${this.port} not ready after ${READY_TIMEOUT_MS} ms: ${this.output.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private answersPing(): Promise<boolean> {
    return new Promise((resolve) => {
      const socket = createConnection({ host: this.host, port: this.port });
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(500, () => done(false));
      socket.once('error', () => done(false));
      // An inline PING; both +PONG and -NOAUTH prove the server is accepting commands.
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (data) => done(/^(\+PONG|-NOAUTH)/.test(data.toString())));
    });
  }
}
