/** Two projects: unit tests need nothing running; integration tests talk to the real local stack. */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };

/** @type {import('jest').Config} */
module.exports = {
  // The integration projects share one set of servers: one test file at a time.
  maxWorkers: 1,
  // Temporal's native runtime (in-process workers) keeps the event loop alive after the
  // last test; every test stops its own servers and workers, so end the run there.
  forceExit: true,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      // Workflow code on Temporal's time-skipping test server (stub activities) and replays of committed histories.
      displayName: 'workflows',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/workflows/**/*.test.ts', '<rootDir>/test/replay/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-timeout.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      setupFiles: ['<rootDir>/test/support/jest-env.ts'],
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/api/**/*.test.ts', '<rootDir>/test/activities/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/support/slow-timeout.ts'],
    },
  ],
};
