module.exports = {
  displayName: 'governor',
  preset: '../../jest.preset.js',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  coverageDirectory: '../../coverage/apps/governor',
};
