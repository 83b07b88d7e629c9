module.exports = require('../../jest.project.js')(__dirname, { testMatch: ['<rootDir>/src/**/*.spec.ts'] });
