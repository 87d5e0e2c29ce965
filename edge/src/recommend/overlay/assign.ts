import type { Item } from "@genrec/shared";
import { ApiError } from "../../errors/api-error.ts";
import { getItems } from "../../storage/items.ts";
import { markFailed, markPending, retryable, storeCodes, withoutOverlay } from "../../storage/overlay.ts";
import { liveVersion } from "../live/index.ts";
import type { LoadedArtifacts } from "../rpg/artifacts.ts";
import type { Serving } from "../serving.ts";
import { invalidateOverlay } from "./cache.ts";

/** A pending row older than this lost its task (the isolate went away): the next write retries it. */
export const STALE_PENDING_MS = 120_000;
/** Failed items are retried on later catalogue writes until they failed this often. */
export const MAX_ATTEMPTS = 5;
/** Earlier failures retried along with one write. */
const RETRY_LIMIT = 100;
/** assign_sids takes at most 1,024 items per call (shared AssignSidsRequest). */
const CHUNK = 1_024;
/** The first call may load the text encoder on the worker: seconds, once. */
const ASSIGN_TIMEOUT_MS = 60_000;

export interface Assignment {
  /** Items of this write the live version does not know, now pending. */
  pending: number;
  /** The GPU worker's calls and the D1 writes, for executionCtx.waitUntil: never rejects. */
  run: () => Promise<void>;
}

/** The live version when it is an RPG set with a SID artifact (cold start possible), else null. */
async function coldStartSet(env: Env, services: Serving) {
  const live = await liveVersion(env.DB, services);
  if (live?.model !== "rpg") return null;
  const set = await services.artifacts.get(env.ARTIFACTS, live.version);
  return set.kind === "rpg" && set.manifest.sid_artifact ? set : null;
}

/**
 * After items were upserted: when the live version is an RPG set with a SID artifact, marks the
 * items it does not know (and earlier failures, up to RETRY_LIMIT) pending for a new task, and
 * returns that task. Null when nothing is to be done (another kind live, an old set without SID
 * artifact, every item known). Items the set knows keep their trained SIDs.
 */
export async function planAssignment(
  env: Env,
  services: Serving,
  items: readonly Item[],
  now = Date.now(),
): Promise<Assignment | null> {
  const set = await coldStartSet(env, services);
  if (!set) return null;
  const fresh = items.filter((item) => !set.rowOf.has(item.id));
  const freshIds = new Set(fresh.map((item) => item.id));
  const version = set.manifest.version;
  const again = (await retryable(env.DB, version, now - STALE_PENDING_MS, MAX_ATTEMPTS, RETRY_LIMIT)).filter(
    (id) => !freshIds.has(id),
  );
  return begin(env, services, set, fresh, again, now);
}

/**
 * After a version went live (activation, rollback): catalogue items it neither was trained on nor
 * has SIDs for (e.g. upserted while another version was live, or after its training snapshot).
 * Reads every catalogue id once per activation, in the background.
 */
export async function planCatchUp(env: Env, services: Serving, now = Date.now()): Promise<Assignment | null> {
  const set = await coldStartSet(env, services);
  if (!set) return null;
  const ids = (await withoutOverlay(env.DB, set.manifest.version)).filter((id) => !set.rowOf.has(id));
  return begin(env, services, set, await getItems(env.DB, ids), [], now);
}

async function begin(
  env: Env,
  services: Serving,
  set: LoadedArtifacts,
  fresh: Item[],
  again: string[],
  now: number,
): Promise<Assignment | null> {
  if (fresh.length === 0 && again.length === 0) return null;
  const task = crypto.randomUUID();
  const version = set.manifest.version;
  await markPending(env.DB, version, [...fresh.map((item) => item.id), ...again], task, now);
  return {
    pending: fresh.length,
    run: async () => {
      try {
        await assign(env, services, set, task, [...fresh, ...(await getItems(env.DB, again))]);
      } catch (err) {
        warn(version, String(err)); // the rows stay pending: a later write retries them once stale
      }
    },
  };
}

function warn(version: string, error: string) {
  console.log(JSON.stringify({ level: "warn", event: "assign_sids_failed", version, error }));
}

/** Asks the GPU worker for the items' SIDs, chunk by chunk; a chunk that fails is marked failed. */
async function assign(env: Env, services: Serving, set: LoadedArtifacts, task: string, items: Item[]) {
  const { version, sid_artifact: artifact, digits } = set.manifest;
  for (let i = 0; i < items.length; i += CHUNK) {
    const chunk = items.slice(i, i + CHUNK);
    try {
      const reply = await services
        .rpc(env)
        .call(
          "assign_sids",
          { artifact_version: artifact as string, items: chunk },
          { timeoutMs: ASSIGN_TIMEOUT_MS },
        );
      const wrong = reply.sids.find((s) => s.codes.length !== digits);
      if (wrong)
        throw new Error(`the worker gave '${wrong.item_id}' ${wrong.codes.length} codes, not ${digits}`);
      await storeCodes(env.DB, version, task, reply.sids, Date.now());
      invalidateOverlay(set);
    } catch (err) {
      const why = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
      warn(version, why);
      const ids = chunk.map((item) => item.id);
      await markFailed(env.DB, version, task, ids, why, Date.now()).catch(() => {});
    }
  }
}
