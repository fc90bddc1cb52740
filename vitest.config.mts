import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/fast-check-seed.ts", "test/support/checked-records.ts"],
    // Only a hang should hit a timeout: tests that run processes (the CLI, the provider host) take
    // several times longer on a loaded machine, and a timeout is no assertion about speed.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
