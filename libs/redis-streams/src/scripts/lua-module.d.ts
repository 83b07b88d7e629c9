/**
 * A `.lua` file imported from TypeScript is its text: the esbuild bundle inlines it (text loader,
 * tools/scripts/bundle-app.mjs), Jest reads it through tools/scripts/jest-lua-transform.js and
 * plain Node (tsx, `dist/`) through lua-file-loader.ts.
 */
declare module '*.lua' {
  const text: string;
  export default text;
}
