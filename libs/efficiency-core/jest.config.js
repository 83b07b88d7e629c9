module.exports = {
  displayName: 'efficiency-core',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/libs/efficiency-core',
  // The pure core is fully covered; the run fails below 100 %.
  collectCoverage: true,
  collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts', '!<rootDir>/src/**/index.ts', '!<rootDir>/src/**/__fixture__*'],
  coverageReporters: ['text', 'text-summary', 'lcov'],
  coverageThreshold: { global: { branches: 100, functions: 100, lines: 100, statements: 100 } },
};
