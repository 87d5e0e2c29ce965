import { env as vars } from "cloudflare:workers";
import { createApp } from "./app.ts";
import { readSettings } from "./settings.ts";
import { sweepR2 } from "./storage/sweep.ts";

// One app per isolate, tuned by the Worker's vars (infra/wrangler.jsonc; bad values warn and fall
// back to their defaults, settings.ts).
const app = createApp(readSettings(vars));

export default {
  fetch: app.fetch,
  /** The cron trigger (infra/wrangler.jsonc): R2 objects nobody will read are removed. */
  scheduled(_controller, env, ctx) {
    ctx.waitUntil(
      sweepR2(env.DB, env.ARTIFACTS).then((removed) =>
        console.log(JSON.stringify({ level: "info", sweep: removed })),
      ),
    );
  },
} satisfies ExportedHandler<Env>;
