module.exports = {
  displayName: 'redis-streams',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/libs/redis-streams',
};
