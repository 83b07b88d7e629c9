module.exports = {
  displayName: 'config',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/libs/config',
  // The catalogue, the contract names and the settings mapping are pure and fully covered (as in
  // efficiency-core); the run fails below 100 % for them.
  collectCoverage: true,
  collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts', '!<rootDir>/src/**/index.ts'],
  coverageReporters: ['text', 'text-summary', 'lcov'],
  coverageThreshold: {
    './src/catalogue/': { branches: 100, functions: 100, lines: 100, statements: 100 },
    './src/contract-names.ts': { branches: 100, functions: 100, lines: 100, statements: 100 },
    './src/settings.ts': { branches: 100, functions: 100, lines: 100, statements: 100 },
  },
};
