// The import restriction for deterministic workflow code; eslint.config.mjs applies it
// and test/unit/lint-workflows.test.ts proves it bites.
const builtins = ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net', 'dns', 'util', 'events', 'stream', 'timers', 'worker_threads'];

module.exports = {
  files: ['workflows/**/*.ts', 'test/**/fixtures/*workflow*.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: 'Workflows may not use Node builtins; do I/O in an activity.' },
          {
            group: ['mongoose', 'mongodb', 'kafkajs', '@aws-sdk/*', 'stripe', 'express'],
            message: 'Workflows may not do I/O; call an activity.',
          },
          {
            group: ['**/infra/**', '**/activities/**', '**/gateway/**'],
            message: 'Workflows may import only workflows/, src/domain and src/shared (activities by `import type`).',
            allowTypeImports: true,
          },
        ],
        paths: builtins.map((name) => ({ name, message: 'Workflows may not use Node builtins; do I/O in an activity.' })),
      },
    ],
  },
};
