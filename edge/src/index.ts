import { createApp } from "./app.ts";
import { sweepR2 } from "./storage/sweep.ts";

const app = createApp();

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
