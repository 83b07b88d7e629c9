// npm 11 records every optional platform binary of a package in package-lock.json, but the
// registry mirror these machines reach serves only some of them (e.g. @unrs/resolver-binding-*
// for linux only). npm then writes a lockfile that its own `npm ci` refuses as "out of sync".
// This adds a placeholder entry (version, optional, os/cpu) for each missing optional binary so
// that `npm ci` accepts the lockfile; npm skips them on other platforms anyway.
// Run after any dependency change: `node tools/scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';
const file = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(file, 'utf8'));
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [name, range] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path ? `${path}/node_modules/${name}` : `node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (lock.packages[base] || lock.packages[hoisted]) continue;
    const m = /-(android|darwin|freebsd|linux|win32|openharmony|sunos|aix|netbsd|openbsd|wasm32)-([a-z0-9]+)/.exec(name);
    const os = m && m[1] !== 'wasm32' ? [m[1]] : undefined;
    const cpuMap = { x64: 'x64', arm64: 'arm64', arm: 'arm', ia32: 'ia32', loong64: 'loong64', ppc64: 'ppc64', riscv64: 'riscv64', s390x: 's390x', wasi: 'wasm32' };
    const cpu = m ? [cpuMap[m[2]] ?? m[2]] : undefined;
    lock.packages[hoisted] = { version: range.replace(/^[~^]/, ''), optional: true, ...(os ? { os } : {}), ...(cpu ? { cpu } : {}) };
    added += 1;
    console.log('placeholder', hoisted);
  }
}
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
console.log(`added ${added}`);
