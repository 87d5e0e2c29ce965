import { applyD1Migrations, type D1Migration, env, reset } from "cloudflare:test";
import { afterEach, beforeEach } from "vitest";

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}

// Per-test storage isolation: every test starts from freshly migrated, empty D1 and R2.
beforeEach(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
afterEach(async () => {
  await reset();
});
