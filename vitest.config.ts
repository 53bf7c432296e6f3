import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Tests share the 2 CPU cores with the inference engines they start: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
  },
});
