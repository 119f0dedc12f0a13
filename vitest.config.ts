import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // Two cores here and in CI: keep file-level parallelism modest so worker/browser tests are not starved.
    maxWorkers: 2,
  },
});
