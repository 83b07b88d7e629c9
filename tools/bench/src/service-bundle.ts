import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

/**
 * The path of a service's bundle (`apps/<app>/dist/main.js`), built first: the benches measure
 * what the images and units run. The sources through tsx cost the governor about a third more
 * CPU per plan than the bundle. Nx's cache makes the build instant when nothing changed.
 */
export function serviceBundle(app: 'governor' | 'allocation-target'): string {
  const build = spawnSync('npx', ['nx', 'run', `${app}:build`, '--output-style=static'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error(`building ${app} failed (npx nx run ${app}:build exited ${build.status})`);
  return join(ROOT, 'apps', app, 'dist', 'main.js');
}
