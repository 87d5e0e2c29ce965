import {
  DENOISE_MAX_HISTORY,
  DENOISE_MAX_K,
  type DenoiseRequest,
  RemoteModelManifest,
  type ScoredItem,
} from "@genrec/shared";
import { ApiError } from "../../errors/api-error.ts";
import type { ModelVersionRow } from "../../storage/models.ts";
import { coldStartItems, merged } from "../overlay/decoded.ts";
import { overlaySidMap } from "../overlay/sid-map.ts";
import type { Serving } from "../serving.ts";

/** How many of the most popular items make the smoke history that checks a remote model. */
const SMOKE_ITEMS = 5;

/** The stored manifest of a remote (GPU-served) version. */
export function remoteManifest(row: ModelVersionRow): RemoteModelManifest {
  return RemoteModelManifest.parse(JSON.parse(row.manifest));
}

/**
 * One DiffGRM answer from the GPU worker's denoise RPC: a single attempt within the manifest's
 * deadline (a retry would overrun it), seen items dropped after decoding. Decoded SIDs the worker
 * maps to no trained item are looked up among the version's cold-start items (overlay/sid-map.ts).
 * Throws the RPC client's ApiError (upstream_timeout, upstream_unavailable, upstream_invalid, or
 * the worker's 4xx).
 */
export async function remoteRecommend(
  env: Env,
  services: Serving,
  manifest: RemoteModelManifest,
  history: readonly string[],
  n: number,
  exclude: ReadonlySet<string>,
): Promise<ScoredItem[]> {
  const reply = await services
    .rpc(env)
    .call("denoise", denoiseRequest(manifest, history, Math.min(DENOISE_MAX_K, n + exclude.size)), {
      timeoutMs: manifest.deadline_ms,
      retries: 0,
    });
  const result = reply.results[0];
  const items = result?.items ?? [];
  const added =
    manifest.sid_artifact && result?.unmatched?.length
      ? coldStartItems(
          await overlaySidMap(env.DB, services, manifest.version),
          result.unmatched,
          reply.bucket_prior,
        )
      : [];
  return merged(items, added)
    .filter((item) => !exclude.has(item.item_id))
    .slice(0, n);
}

/** The denoise request for one history (its newest items) under the version's decoding settings. */
function denoiseRequest(
  manifest: RemoteModelManifest,
  history: readonly string[],
  k: number,
): DenoiseRequest {
  return {
    artifact_version: manifest.artifact_version,
    histories: [history.slice(-DENOISE_MAX_HISTORY)],
    k,
    ...(manifest.beam === undefined ? {} : { beam: manifest.beam }),
  };
}

/**
 * Checks, before a remote version is registered or goes live, that the GPU worker serves it: one
 * denoise call on a history of the catalogue's most popular items, and, when the manifest names a
 * SID artifact, one assign_sids call that shows the artifact exists and encodes new items to SIDs
 * as long as the version decodes (a version trained with a collision digit decodes one more code
 * than its 4-digit artifact gives, so its new items could never be recommended). The calls have
 * their own, longer admin deadline, `probeMs` (REGISTER_PROBE_MS, never below the version's
 * `deadline_ms`): a cold worker loads the model on its first call, and Modal may start a container
 * first; that is slow once, not a broken version. Serving keeps the version's `deadline_ms`. Worker
 * errors become 422 invalid_artifact; an unreachable worker stays a 502, one slower than the probe
 * deadline a 504 that names it.
 */
export async function checkRemoteModel(
  env: Env,
  services: Serving,
  manifest: RemoteModelManifest,
  probeMs: number,
): Promise<void> {
  const ranked = await services.popularity.ranked(env.DB);
  const history = ranked.slice(0, SMOKE_ITEMS).map((item) => item.item_id);
  if (history.length === 0) {
    throw new ApiError(
      422,
      "invalid_artifact",
      "no events yet: ingest interactions before registering a remote model, so it can be checked",
    );
  }
  const deadline = Math.max(probeMs, manifest.deadline_ms);
  const options = { timeoutMs: deadline, retries: 0 };
  const rpc = services.rpc(env);
  const reply = await probing(manifest, deadline, () =>
    rpc.call("denoise", denoiseRequest(manifest, history, 1), options),
  );
  const artifact = manifest.sid_artifact;
  if (!artifact) return;
  const probe = { id: PROBE_ITEM, title: "a new item" };
  const sids = await probing(
    manifest,
    deadline,
    () => rpc.call("assign_sids", { artifact_version: artifact, items: [probe] }, options),
    (why) =>
      sidArtifactError(`the GPU worker cannot encode new items with SID artifact '${artifact}': ${why}`),
  );
  if (reply.digits !== undefined && sids.digits !== reply.digits) {
    throw sidArtifactError(
      `SID artifact '${artifact}' encodes items to ${sids.digits} codes, but '${manifest.artifact_version}' ` +
        `decodes SIDs of ${reply.digits}: its new items could never be recommended`,
    );
  }
}

/** The item id of assign_sids' check call: the worker encodes it and stores nothing. */
const PROBE_ITEM = "genrec-register-probe";

/**
 * One worker call of the registration check, its failures as checkRemoteModel documents them;
 * `refused` makes the 422 for a worker's 4xx (by default: the version cannot be served).
 */
async function probing<T>(
  manifest: RemoteModelManifest,
  deadline: number,
  call: () => Promise<T>,
  refused = (why: string) =>
    new ApiError(
      422,
      "invalid_artifact",
      `the GPU worker cannot serve '${manifest.artifact_version}': ${why}`,
    ),
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ApiError && err.code === "upstream_timeout") {
      throw new ApiError(
        504,
        "upstream_timeout",
        `the GPU worker did not answer the check call for '${manifest.artifact_version}' within the ` +
          `probe deadline of ${deadline} ms (REGISTER_PROBE_MS; serving uses the version's ` +
          `deadline_ms, ${manifest.deadline_ms} ms)`,
      );
    }
    if (err instanceof ApiError && err.status < 500) throw refused(err.message);
    throw err;
  }
}

function sidArtifactError(message: string): ApiError {
  return new ApiError(422, "invalid_artifact", message, [
    { code: "invalid_sid_artifact", path: ["json", "sid_artifact"], message },
  ]);
}
