import baseConfig, { ioModules } from '../../eslint.config.mjs';

// efficiency-core is pure: besides the Nx tag constraint (which sees workspace projects and npm
// packages), name the I/O modules directly so that Node built-ins are refused too.
export default [
  ...baseConfig,
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'efficiency-core is pure: no I/O modules.' })) }],
    },
  },
];
