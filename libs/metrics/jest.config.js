module.exports = {
  displayName: 'metrics',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/libs/metrics',
};
