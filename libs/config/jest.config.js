module.exports = require('../../jest.project.js')(__dirname, {
  // the catalogue, the contract names and the settings mapping are pure: the run fails below 100 % for them
  fullyCovered: ['./src/catalogue/', './src/contract-names.ts', './src/settings.ts'],
});
