import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { findFreePort } from '@quantum/redis-streams/testing';

/** The repository's root (this file is tools/bench/src/service-bundle.ts). */
export const REPO_ROOT = resolve(__dirname, '../../..');

/**
 * The path of a service's bundle (`apps/<app>/dist/main.js`), built first: the benches measure
 * what the images and units run. The sources through tsx cost the governor about a third more
 * CPU per plan than the bundle. Nx's cache makes the build instant when nothing changed.
 */
export function serviceBundle(app: 'governor' | 'allocation-target'): string {
  const build = spawnSync('npx', ['nx', 'run', `${app}:build`, '--output-style=static'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`building ${app} failed (npx nx run ${app}:build exited ${build.status})`);
  return join(REPO_ROOT, 'apps', app, 'dist', 'main.js');
}

export interface RunningBundle {
  readonly child: ChildProcess;
  /** Its metrics server, `http://127.0.0.1:<port>`. */
  readonly metricsUrl: string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts a service bundle against `url` with a clean environment (PATH, the Redis URL, a free
 * metrics port on loopback, LOG_LEVEL error, then `env`) and waits up to 20 s until its /readyz
 * says ready.
 */
export async function startBundle(main: string, url: string, env: Record<string, string>): Promise<RunningBundle> {
  const port = await findFreePort();
  const child = spawn(process.execPath, [main], {
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '', REDIS_URL: url, METRICS_HOST: '127.0.0.1', METRICS_PORT: String(port), LOG_LEVEL: 'error', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const metricsUrl = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 20_000; ; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${main} did not become ready`);
    if (await fetch(`${metricsUrl}/readyz`).then((r) => r.status === 200, () => false)) break;
  }
  return {
    child,
    metricsUrl,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
