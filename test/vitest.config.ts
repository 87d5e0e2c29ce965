import { defineConfig } from "vitest/config";

// Cross-component tests start real processes (wrangler dev, the Python GPU worker): slow, serial.
export default defineConfig({
  test: { testTimeout: 600_000, hookTimeout: 600_000, fileParallelism: false },
});
