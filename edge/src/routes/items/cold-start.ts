import type { Item, UpsertResult } from "@genrec/shared";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import { type Assignment, planAssignment, planCatchUp } from "../../recommend/overlay/assign.ts";

/**
 * The answer to an upsert of stored `items`, after starting cold-start SIDs for those the live RPG
 * version does not know: the GPU worker is called after the response (executionCtx.waitUntil),
 * never within it. A failure to plan (the live set unreadable, D1 busy) is logged, not the client's
 * error: the items are stored, and a later write retries what is left.
 */
export async function upserted(c: Context<AppEnv>, items: Item[]): Promise<UpsertResult> {
  const plan = await started(c, planAssignment(c.env, c.var.services, items));
  return plan ? { upserted: items.length, sids_pending: plan.pending } : { upserted: items.length };
}

/** After a version went live: SIDs for the catalogue items it does not know, in the background. */
export async function caughtUp(c: Context<AppEnv>): Promise<void> {
  await started(c, planCatchUp(c.env, c.var.services));
}

async function started(c: Context<AppEnv>, planning: Promise<Assignment | null>) {
  const plan = await planning.catch((err: unknown) => {
    console.log(JSON.stringify({ level: "warn", event: "assign_sids_not_started", error: String(err) }));
    return null;
  });
  if (!plan) return null;
  const task = plan.run();
  try {
    c.executionCtx.waitUntil(task);
  } catch {
    // app.request without an ExecutionContext (tests): the task runs on, unawaited
  }
  return plan;
}
