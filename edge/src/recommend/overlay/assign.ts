import type { Item } from "@genrec/shared";
import { ApiError } from "../../errors/api-error.ts";
import { getItems } from "../../storage/items.ts";
import { markFailed, markPending, retryable, storeCodes, withoutOverlay } from "../../storage/overlay.ts";
import type { Serving } from "../serving.ts";
import { coldStartTarget, type Target } from "./target.ts";

/** A pending row older than this lost its task (the isolate went away): the next write retries it. */
export const STALE_PENDING_MS = 120_000;
/** Failed items are retried on later catalogue writes until they failed this often. */
export const MAX_ATTEMPTS = 5;
/** Earlier failures retried along with one write. */
const RETRY_LIMIT = 100;
/** assign_sids takes at most 1,024 items per call (shared AssignSidsRequest). */
const CHUNK = 1_024;
/**
 * Each chunk gets this long, within the 30 s a Worker's waitUntil may run after the response: a
 * worker slower than this (a cold container loading its text encoder) leaves the items failed, and
 * the next catalogue write retries them. A call that fails fast (a refused or dropped connection, a
 * 5xx) is made once more if at least half of it is left.
 */
const ASSIGN_TIMEOUT_MS = 25_000;

export interface Assignment {
  /** Items of this write the live version does not know, now pending. */
  pending: number;
  /** The GPU worker's calls and the D1 writes, for executionCtx.waitUntil: never rejects. */
  run: () => Promise<void>;
}

/**
 * After items were upserted: when the live version takes items added after training (target.ts),
 * marks the items it was not trained on (and earlier failures, up to RETRY_LIMIT) pending for a
 * new task, and returns that task. Null when nothing is to be done (another kind live, an old set
 * without SID artifact, every item known). Items the version knows keep their trained SIDs.
 */
export async function planAssignment(
  env: Env,
  services: Serving,
  items: readonly Item[],
  now = Date.now(),
): Promise<Assignment | null> {
  const target = await coldStartTarget(env, services);
  if (!target) return null;
  const fresh = items.filter((item) => !target.knows(item.id));
  const freshIds = new Set(fresh.map((item) => item.id));
  const again = (
    await retryable(env.DB, target.version, now - STALE_PENDING_MS, MAX_ATTEMPTS, RETRY_LIMIT)
  ).filter((id) => !freshIds.has(id));
  return begin(env, services, target, fresh, again, now);
}

/**
 * After a version went live (activation, rollback): catalogue items it neither was trained on nor
 * has SIDs for (e.g. upserted while another version was live, or after its training snapshot).
 * Reads every catalogue id once per activation, in the background. RPG only: the edge cannot tell
 * which catalogue items a GPU-served version was trained on.
 */
export async function planCatchUp(env: Env, services: Serving, now = Date.now()): Promise<Assignment | null> {
  const target = await coldStartTarget(env, services);
  if (!target?.listsItems) return null;
  const ids = (await withoutOverlay(env.DB, target.version)).filter((id) => !target.knows(id));
  return begin(env, services, target, await getItems(env.DB, ids), [], now);
}

async function begin(
  env: Env,
  services: Serving,
  target: Target,
  fresh: Item[],
  again: string[],
  now: number,
): Promise<Assignment | null> {
  if (fresh.length === 0 && again.length === 0) return null;
  const task = crypto.randomUUID();
  await markPending(env.DB, target.version, [...fresh.map((item) => item.id), ...again], task, now);
  return {
    pending: fresh.length,
    run: async () => {
      try {
        await assign(env, services, target, task, [...fresh, ...(await getItems(env.DB, again))]);
      } catch (err) {
        warn(target.version, String(err)); // the rows stay pending: a later write retries them once stale
      }
    },
  };
}

/**
 * Asks the GPU worker for the items' SIDs (and text vectors, for a set with a text term), chunk by
 * chunk; a chunk that fails, or comes back without what the set needs, is marked failed.
 */
async function assign(env: Env, services: Serving, target: Target, task: string, items: Item[]) {
  const { version, digits, text } = target;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    try {
      const reply = await assignSids(env, services, target, chunk);
      const wrong = reply.sids.find((s) => s.codes.length !== (digits ?? reply.digits));
      if (wrong) throw new Error(`the worker gave '${wrong.item_id}' ${wrong.codes.length} codes`);
      const bad =
        text && reply.sids.find((s) => s.vector?.length !== text.dim || !s.vector.every(Number.isFinite));
      if (bad)
        throw new Error(`the worker gave '${bad.item_id}' no finite text vector of ${text?.dim} values`);
      await storeCodes(env.DB, version, task, reply.sids, Date.now());
      target.stored();
    } catch (err) {
      const why = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
      warn(version, why);
      const ids = chunk.map((item) => item.id);
      await markFailed(env.DB, version, task, ids, why, Date.now()).catch(() => {});
    }
  }
}

/** One chunk's call (see ASSIGN_TIMEOUT_MS); assign_sids is idempotent, so a second call is safe. */
async function assignSids(env: Env, services: Serving, target: Target, items: Item[]) {
  const rpc = services.rpc(env);
  const started = Date.now();
  const request = {
    artifact_version: target.artifact,
    items,
    ...(target.text ? { text_source: target.text.source } : {}),
  };
  const call = (timeoutMs: number) => rpc.call("assign_sids", request, { timeoutMs, retries: 0 });
  try {
    return await call(ASSIGN_TIMEOUT_MS);
  } catch (err) {
    const left = ASSIGN_TIMEOUT_MS - (Date.now() - started);
    const fast = err instanceof ApiError && err.code === "upstream_unavailable";
    if (!fast || left < ASSIGN_TIMEOUT_MS / 2) throw err;
    return call(left);
  }
}

function warn(version: string, error: string) {
  console.log(JSON.stringify({ level: "warn", event: "assign_sids_failed", version, error }));
}
