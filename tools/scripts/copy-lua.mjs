// Copies every Redis script (`.lua`) of a library's sources into its `dist/`, beside the
// compiled modules that import it: tsc copies no such file, and plain Node loads it from there
// (libs/redis-streams/src/scripts/lua-file-loader.ts).
//   node copy-lua.mjs <from> <to>     (relative to the working directory: the library)
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const [from, to] = process.argv.slice(2);
if (!from || !to) {
  console.error('usage: copy-lua.mjs <sources> <dist>');
  process.exit(2);
}
for (const entry of readdirSync(from, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.lua')) continue;
  const source = join(entry.parentPath, entry.name);
  cpSync(source, join(to, relative(from, source)));
}
