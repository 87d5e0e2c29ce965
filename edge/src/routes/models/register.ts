import type { ArtifactManifest, ModelKind, RemoteModelManifest } from "@genrec/shared";
import type { Services } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { checkRemoteModel } from "../../recommend/diffgrm/remote.ts";
import { ORT_LOADERS } from "../../recommend/sets/cache.ts";
import { ArtifactError, artifactKey } from "../../recommend/sets/files.ts";
import { loadSet } from "../../recommend/sets/load.ts";
import {
  deleteModelVersion,
  getModelVersion,
  insertModelVersion,
  type ModelVersionRow,
} from "../../storage/models.ts";

/*
 * Registration checks a version first, then claims it with one atomic insert: of concurrent
 * registrations of a version exactly one wins, the others get 409, and only the winner writes the
 * set's manifest.json to R2 (the checks read the manifest from the request, never from R2).
 */

const registered = (version: string) =>
  new ApiError(409, "conflict", `version '${version}' is registered and immutable; publish a new version`);

export function refuseOtherVersion(manifest: { version: string }, version: string): void {
  if (manifest.version !== version) {
    throw ApiError.invalid("manifest version differs from the path", [
      { code: "mismatch", path: ["json", "version"], message: `must equal the path's version '${version}'` },
    ]);
  }
}

/** A cheap early 409 before costly checks; the insert in `claim` is what decides. */
export async function refuseRegistered(db: D1Database, version: string): Promise<void> {
  if (await getModelVersion(db, version)) throw registered(version);
}

async function claim(db: D1Database, version: string, model: ModelKind, manifest: string) {
  const row: ModelVersionRow = {
    version,
    model,
    manifest,
    created_at: Date.now(),
    activated_at: null,
    live: 0,
  };
  if (!(await insertModelVersion(db, row, row.created_at))) throw registered(version);
  return row;
}

/** An uploaded set of any kind: every file checked against `manifest`, then claimed, then its manifest stored. */
export async function registerArtifactSet(env: Env, version: string, manifest: ArtifactManifest) {
  refuseOtherVersion(manifest, version);
  await refuseRegistered(env.DB, version);
  try {
    await loadSet(env.ARTIFACTS, version, ORT_LOADERS, manifest);
  } catch (err) {
    if (err instanceof ArtifactError) throw new ApiError(422, "invalid_artifact", err.message);
    throw err;
  }
  const text = JSON.stringify(manifest);
  const row = await claim(env.DB, version, manifest.model, text);
  try {
    await env.ARTIFACTS.put(artifactKey(version, "manifest.json"), text);
  } catch (err) {
    await deleteModelVersion(env.DB, version); // never a registered version without its manifest
    throw err;
  }
  return row;
}

/** A remote model's fallback must be a registered model the edge serves itself (any kind but diffgrm). */
async function checkFallback(db: D1Database, fallback: string | undefined): Promise<void> {
  if (fallback === undefined) return;
  const row = await getModelVersion(db, fallback);
  if (row === null || row.model === "diffgrm") {
    const why = row === null ? "is not registered" : `is a ${row.model} model`;
    throw new ApiError(422, "invalid_artifact", `fallback version '${fallback}' ${why}`, [
      {
        code: "invalid_fallback",
        path: ["json", "fallback_version"],
        message:
          "must be a registered version the edge serves (rpg, sasrec, esasrec, content-knn, popularity)",
      },
    ]);
  }
}

/** A GPU-served (DiffGRM) version: its fallback and one worker call checked, then claimed. */
export async function registerRemote(
  env: Env,
  services: Services,
  version: string,
  manifest: RemoteModelManifest,
) {
  refuseOtherVersion(manifest, version);
  await refuseRegistered(env.DB, version);
  await checkFallback(env.DB, manifest.fallback_version);
  await checkRemoteModel(env, services, manifest, services.registerProbeMs);
  return claim(env.DB, version, "diffgrm", JSON.stringify(manifest));
}
