/**
 * Shared helpers of the chaos suite (`*.chaos.ts`) and of the bad-input and security tests:
 * the built services as child processes, HTTP probes, throwaway TLS material, a TLS-only Redis.
 * Not a test file (the main jest config runs `test/**\/*.test.ts`, the chaos config `*.chaos.ts`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { findFreePort, RedisServerProcess } from '@quantum/redis-streams/testing';

export const ROOT = resolve(__dirname, '../../..');
export type App = 'allocation-target' | 'governor';
export const DIST: Record<App, string> = {
  'allocation-target': join(ROOT, 'apps/allocation-target/dist/main.js'),
  governor: join(ROOT, 'apps/governor/dist/main.js'),
};

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    newest = Math.max(newest, st.isDirectory() ? newestMtime(path) : st.mtimeMs);
  }
  return newest;
}

/**
 * Builds both services unless their bundles exist and are newer than every source they bundle.
 * A lock directory keeps parallel jest workers from building at the same time.
 */
export async function ensureBuilt(): Promise<void> {
  const sources = ['apps/allocation-target/src', 'apps/governor/src', 'libs/efficiency-core/src', 'libs/redis-streams/src', 'libs/metrics/src', 'libs/service-runtime/src'];
  const fresh = () => {
    const newestSource = Math.max(...sources.map((d) => newestMtime(join(ROOT, d))));
    return Object.values(DIST).every((d) => existsSync(d) && statSync(d).mtimeMs >= newestSource);
  };
  if (fresh()) return;
  const lock = join(tmpdir(), 'quantum-tools-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`build lock ${lock} held too long`);
      await sleep(500);
    }
  }
  try {
    if (fresh()) return;
    const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', '@quantum/allocation-target', '@quantum/governor', '--output-style=static'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`building the services failed:\n${build.stdout}\n${build.stderr}`);
  } finally {
    rmdirSync(lock);
  }
}

export interface ServiceChild {
  readonly app: App;
  readonly process: ChildProcess;
  readonly metricsPort: number;
  readonly metricsUrl: string;
  /** stdout + stderr so far (whole, not truncated). */
  output(): string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<number | null>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The built service as a child process with a clean environment (PATH + the given variables). */
export async function startService(app: App, env: Record<string, string>, args: string[] = []): Promise<ServiceChild> {
  const metricsPort = env['METRICS_PORT'] ? Number(env['METRICS_PORT']) : await findFreePort();
  const child = spawn(process.execPath, [DIST[app], ...args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', METRICS_HOST: '127.0.0.1', METRICS_PORT: String(metricsPort), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    app,
    process: child,
    metricsPort,
    metricsUrl: `http://127.0.0.1:${metricsPort}`,
    output: () => out + err,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export async function httpGet(url: string, timeoutMs = 2000): Promise<{ status: number; body: string }> {
  const reply = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: reply.status, body: await reply.text() };
}

/** /readyz status, or 0 when nothing answers. */
export async function readyStatus(child: ServiceChild): Promise<number> {
  try {
    return (await httpGet(`${child.metricsUrl}/readyz`, 1000)).status;
  } catch {
    return 0;
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(everyMs);
  }
}

export async function waitReady(child: ServiceChild, timeoutMs = 20_000): Promise<void> {
  await waitFor(`${child.app} /readyz 200`, async () => {
    if (child.process.exitCode !== null) throw new Error(`${child.app} exited ${child.process.exitCode}: ${child.output().slice(-3000)}`);
    return (await readyStatus(child)) === 200;
  }, timeoutMs).catch((error: Error) => {
    throw new Error(`${error.message}\n${child.output().slice(-3000)}`);
  });
}

export function fieldsToMap(fields: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i]!] = fields[i + 1]!;
  return out;
}

export interface TlsMaterial {
  readonly dir: string;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A second CA that did not sign the server certificate (the "wrong CA" case). */
  readonly otherCaFile: string;
}

function openssl(args: string[], cwd: string): void {
  const run = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
}

/** A throwaway CA, a server certificate for localhost/127.0.0.1 signed by it, and an unrelated CA (temp dir; never committed). */
export function makeTlsMaterial(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'quantum-tls-'));
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=quantum-test-ca'], dir);
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-days', '2', '-subj', '/CN=quantum-other-ca'], dir);
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'ext.cnf'], dir);
  return { dir, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), otherCaFile: join(dir, 'other.crt') };
}

export interface TlsRedis {
  readonly server: RedisServerProcess;
  readonly tlsPort: number;
  stop(): Promise<void>;
}

/**
 * A TLS-only redis-server from the test harness: started with a TLS port next to the harness'
 * loopback port (the harness probes readiness over plain TCP), then `CONFIG SET port 0` closes
 * the plain port, so only TLS connections are possible.
 */
export async function startTlsOnlyRedis(tls: TlsMaterial, extraArgs: string[] = []): Promise<TlsRedis> {
  const tlsPort = await findFreePort();
  const server = await RedisServerProcess.start({
    extraArgs: ['--tls-port', String(tlsPort), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile, '--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no', ...extraArgs],
  });
  const admin = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await admin.connect();
    await admin.config('SET', 'port', '0');
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    admin.disconnect();
  }
  return { server, tlsPort, stop: () => server.stop() };
}

/** Local addresses (hex, as in /proc/net/tcp*: `0100007F` = 127.0.0.1, `00000000` = 0.0.0.0) of LISTEN sockets on `port`. */
export function listeningAddresses(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addr, portHex] = (cols[1] ?? '').split(':');
      if (parseInt(portHex ?? '', 16) === port) found.push(addr ?? '');
    }
  }
  return found;
}
