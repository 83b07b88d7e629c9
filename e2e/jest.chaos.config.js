// Chaos suite: `npm run test:chaos`. The built services under faults (kill -9, Redis restarts,
// CLIENT KILL, DEBUG SLEEP) against throwaway redis-servers; files are `src/chaos/*.chaos.ts`
// so the normal suite (e2e/jest.config.js, `*.test.ts`) never runs them. Serial: the tests
// measure timing on a shared machine. Each file builds the services first when the bundles are
// older than the sources (src/chaos/support.ts ensureBuilt).
module.exports = require('../jest.project.js')(__dirname, {
  displayName: 'e2e-chaos',
  testMatch: ['<rootDir>/src/chaos/**/*.chaos.ts'],
  maxWorkers: 1,
  testTimeout: 600_000,
});
