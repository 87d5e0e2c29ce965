import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const infra = (p: string) => fileURLToPath(new URL(`../infra/${p}`, import.meta.url));

// Tests run inside workerd with the real local D1/R2 bindings declared in infra/wrangler.jsonc;
// the migrations are applied for real by test/apply-migrations.ts.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: infra("wrangler.jsonc") },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(infra("migrations")),
          // Test-only secrets; real ones come from `wrangler secret put` or infra/.dev.vars.
          ADMIN_KEYS: "test-admin-key",
          CLIENT_KEYS: "test-client-key, second-client-key,",
          GPU_WORKER_TOKEN: "test-gpu-token",
          GPU_WORKER_URL: "https://gpu.example.test",
        },
      },
    }),
  ],
  // Correctness only, no timing: a generous limit so a loaded 2-core machine cannot fail a test.
  test: { setupFiles: ["./test/apply-migrations.ts"], testTimeout: 60_000, hookTimeout: 60_000 },
}));
