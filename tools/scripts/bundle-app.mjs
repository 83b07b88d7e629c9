// Bundles one service into apps/<name>/dist/main.js: workspace libraries are compiled in from
// their sources, Redis scripts (`.lua`) as their text, npm dependencies stay external (installed
// with `npm ci --omit=dev` in images).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const name = process.argv[2];
if (!name) {
  console.error('usage: bundle-app.mjs <app-name>');
  process.exit(2);
}
const appDir = join(root, 'apps', name);
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const external = Object.keys(rootPkg.dependencies ?? {});

await build({
  entryPoints: [join(appDir, 'src', 'main.ts')],
  outfile: join(appDir, 'dist', 'main.js'),
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'cjs',
  sourcemap: true,
  conditions: ['@quantum/source'],
  loader: { '.lua': 'text' },
  external,
  logLevel: 'warning',
});
