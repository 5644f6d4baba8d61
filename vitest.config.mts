import { defineConfig } from "vitest/config";

// Tests start every service they need in-process (Azurite, emulators, local host) on port 0.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    reporters: ["default"],
  },
});
