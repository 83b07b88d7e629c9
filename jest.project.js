// What every project's Jest config shares: its root, the preset, where its tests are, where its
// coverage goes. `fullyCovered`: paths (relative to the project) whose run fails below 100 %
// coverage: the pure libraries.
const { basename, join, relative } = require('node:path');

const FULL = { branches: 100, functions: 100, lines: 100, statements: 100 };

module.exports = function jestProject(dir, { testMatch = ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'], fullyCovered, ...rest } = {}) {
  const coverage = fullyCovered
    ? {
        collectCoverage: true,
        collectCoverageFrom: ['<rootDir>/src/**/*.ts', '!<rootDir>/src/**/*.spec.ts', '!<rootDir>/src/**/index.ts', '!<rootDir>/src/**/__fixture__*'],
        coverageReporters: ['text', 'text-summary', 'lcov'],
        coverageThreshold: Object.fromEntries(fullyCovered.map((path) => [path, FULL])),
      }
    : {};
  return {
    displayName: basename(dir),
    preset: `./${relative(dir, join(__dirname, 'jest.preset.js'))}`,
    rootDir: dir,
    testMatch,
    coverageDirectory: join(__dirname, 'coverage', relative(__dirname, dir)),
    ...coverage,
    ...rest,
  };
};
