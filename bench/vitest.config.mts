import { defineConfig } from "vitest/config";

/** Benchmarks that need the engine harness run under vitest: `npm run bench`. */
export default defineConfig({
  test: {
    include: ["bench/**/*.vitest.ts"],
    testTimeout: 300_000,
  },
});
