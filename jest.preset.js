// Shared Jest settings: TypeScript through ts-jest (transpile only; `nx typecheck` checks types),
// Redis scripts (`.lua`) as their text, and workspace packages resolved to their sources through
// the `@quantum/source` condition.
const { join } = require('node:path');

module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@quantum/source', 'node', 'require', 'default'] },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', isolatedModules: true, diagnostics: false }],
    '^.+\\.lua$': join(__dirname, 'tools/scripts/jest-lua-transform.js'),
  },
  moduleFileExtensions: ['ts', 'js', 'json', 'lua'],
  coverageReporters: ['text-summary', 'lcov'],
};
