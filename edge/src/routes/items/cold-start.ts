import type { Item, UpsertResult } from "@genrec/shared";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { planAssignment } from "../../recommend/overlay/assign.ts";

/**
 * The answer to an upsert of stored `items`, after starting cold-start SIDs for those the live RPG
 * version does not know: the GPU worker is called after the response (executionCtx.waitUntil),
 * never within it. A failure to plan (the live set unreadable, D1 busy) is logged, not the client's
 * error: the items are stored, and a later write retries what is left.
 */
export async function upserted(c: Context<AppEnv>, items: Item[]): Promise<UpsertResult> {
  const plan = await planAssignment(c.env, c.var.services, items).catch((err: unknown) => {
    console.log(JSON.stringify({ level: "warn", event: "assign_sids_not_started", error: String(err) }));
    return null;
  });
  if (!plan) return { upserted: items.length };
  const task = plan.run();
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // app.request without an ExecutionContext (tests): the task runs on, unawaited
  }
  return { upserted: items.length, sids_pending: plan.pending };
}
