import { defineConfig } from 'vitest/config';

// End-to-end tests: the built app, served by the real `varstream-server`
// (a child process on 127.0.0.1), driven in headless Chromium.
export default defineConfig({
  test: {
    include: ['test/**/*.e2e.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
