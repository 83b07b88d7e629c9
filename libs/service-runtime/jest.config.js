module.exports = {
  displayName: 'service-runtime',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/libs/service-runtime',
};
