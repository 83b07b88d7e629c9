import baseConfig, { ioModules } from '../../eslint.config.mjs';

// The catalogue, the contract names and the settings mapping are pure (no I/O), as they were in
// efficiency-core: `ctl evaluate` and the generated env examples use them without a service
// around. Only src/loading/ (env file, exit code) touches the process and the file system.
export default [
  ...baseConfig,
  {
    files: ['src/catalogue/**/*.ts', 'src/contract-names.ts', 'src/settings.ts'],
    ignores: ['src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ioModules.map((name) => ({ name, message: 'the config catalogue is pure: no I/O modules.' })),
          patterns: [{ group: ['@quantum/service-runtime', '../loading/*', './loading/*'], message: 'the config catalogue is pure: no loading or runtime imports.' }],
        },
      ],
    },
  },
];
