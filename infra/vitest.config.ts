import { defineConfig } from "vitest/config";

// The CLI tests start real processes (tsx, servers); a loaded 2-core machine can take seconds for
// each, and these tests check behaviour, not speed.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
