import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "components/**/*.test.ts", "ops/**/*.test.ts", "sync/**/*.test.ts"],
    // The lab tests share one set of network namespaces: never run two test files at once.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
