import { readFileSync } from 'node:fs';

/**
 * Lets Node's own module loader read a `.lua` file as its text, as the esbuild bundle (text
 * loader) and Jest (a transform) do: the services also run from their sources through tsx, and
 * tsx would compile a `.lua` file as JavaScript. Registered once, by lua-script.ts, which every
 * module importing a `.lua` file imports first (CommonJS loads imports in their written order).
 * In the bundle nothing is loaded through it.
 */
if (typeof require === 'function' && require.extensions && !require.extensions['.lua']) {
  require.extensions['.lua'] = (module, filename) => {
    module.exports = readFileSync(filename, 'utf8');
  };
}

export {};
