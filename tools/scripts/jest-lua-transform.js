// Jest transform for `.lua` files: the module is the file's text, as the esbuild bundle's text
// loader makes it (tools/scripts/bundle-app.mjs), so specs import Redis scripts as the services do.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = ${JSON.stringify(sourceText)};` };
  },
};
