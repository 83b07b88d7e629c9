import nx from '@nx/eslint-plugin';

// Node built-ins and packages that perform I/O. `type:core` projects may import none of them,
// which keeps efficiency-core pure (see README "Module boundaries").
export const ioModules = [
  'ioredis',
  'prom-client',
  'winston',
  'testcontainers',
  ...['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'tls', 'dgram', 'dns', 'child_process', 'cluster', 'worker_threads', 'os', 'process', 'readline']
    .flatMap((m) => [m, `node:${m}`]),
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/coverage', '**/node_modules', '**/*.cts'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:infra', 'type:core'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:tool-lib', 'type:infra'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:tool-lib', 'type:infra', 'type:core'] },
            { sourceTag: 'type:tool-lib', onlyDependOnLibsWithTags: ['type:tool-lib', 'type:infra'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:core'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: [], bannedExternalImports: ioModules },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
];
