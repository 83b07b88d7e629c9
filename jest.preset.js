// Shared Jest settings: TypeScript through ts-jest (transpile only; `nx typecheck` checks types)
// and workspace packages resolved to their sources through the `@quantum/source` condition.
module.exports = {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['@quantum/source', 'node', 'require', 'default'] },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', isolatedModules: true, diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  coverageReporters: ['text-summary', 'lcov'],
};
