import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/server/**/*.test.ts'],
    environment: 'node',
    // Native modules (SQLCipher, keytar) are safest in separate processes.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // No test may be skipped or focused: CI fails on `.only`.
    allowOnly: false,
  },
});
