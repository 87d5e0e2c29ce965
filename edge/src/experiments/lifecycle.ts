import { type Experiment, type ExperimentStart, POPULARITY_VERSION } from "@genrec/shared";
import type { Services } from "../env.ts";
import { ApiError } from "../errors/api-error.ts";
import { checkRemoteModel, remoteManifest } from "../recommend/diffgrm/remote.ts";
import { ArtifactError } from "../recommend/sets/files.ts";
import { getModelVersion } from "../storage/models.ts";
import { experimentCache } from "./cache.ts";
import { getExperiment, insertExperiment, promoteExperiment, stopExperiment, toExperiment } from "./store.ts";

const conflict = (message: string) => new ApiError(409, "conflict", message);

async function read(db: D1Database, id: string): Promise<Experiment> {
  const row = await getExperiment(db, id);
  if (!row) throw ApiError.notFound(`unknown experiment '${id}'`);
  return toExperiment(row);
}

/** Starts `start` once every arm's version is known (404 naming the arm); 409 when one already runs. */
export async function start(env: Env, services: Services, body: ExperimentStart): Promise<Experiment> {
  for (const [i, arm] of body.arms.entries()) {
    if (arm.version === POPULARITY_VERSION || (await getModelVersion(env.DB, arm.version))) continue;
    throw new ApiError(404, "not_found", `unknown model version '${arm.version}'`, [
      { code: "unknown_version", path: ["json", "arms", i, "version"], message: "no such published version" },
    ]);
  }
  const started = await insertExperiment(env.DB, body, Date.now());
  experimentCache(services).invalidate();
  if (!started) {
    const taken = await getExperiment(env.DB, body.id);
    throw conflict(taken ? `experiment '${body.id}' exists` : "another experiment is running: stop it first");
  }
  return read(env.DB, body.id);
}

export async function stop(env: Env, services: Services, id: string): Promise<Experiment> {
  const stopped = await stopExperiment(env.DB, id, Date.now());
  experimentCache(services).invalidate();
  const experiment = await read(env.DB, id);
  if (!stopped) throw conflict(`experiment '${id}' is not running (${experiment.status})`);
  return experiment;
}

/**
 * Ends a running experiment with `armName`'s version live, in one transaction (store.ts). The version
 * passes activation's checks first (its set loads, or its worker answers), so a broken one never goes
 * live; builtin-popularity cannot go live (stop the experiment and roll back instead).
 */
export async function promote(
  env: Env,
  services: Services,
  id: string,
  armName: string,
): Promise<Experiment> {
  const experiment = await read(env.DB, id);
  if (experiment.status !== "running")
    throw conflict(`experiment '${id}' is not running (${experiment.status})`);
  const arm = experiment.arms.find((a) => a.name === armName);
  if (!arm)
    throw ApiError.invalid(`experiment '${id}' has no arm '${armName}'`, [
      {
        code: "unknown_arm",
        path: ["json", "arm"],
        message: `one of ${experiment.arms.map((a) => a.name).join(", ")}`,
      },
    ]);
  if (arm.version === POPULARITY_VERSION)
    throw conflict(`${POPULARITY_VERSION} cannot go live: stop the experiment`);
  await checkActivatable(env, services, arm.version);
  const promoted = await promoteExperiment(env.DB, id, arm, Date.now());
  experimentCache(services).invalidate();
  services.live.invalidate();
  if (!promoted) throw conflict(`experiment '${id}' ended meanwhile`);
  return read(env.DB, id);
}

/** Activation's checks (routes/models): the set loads and passes its checks, or the worker answers. */
async function checkActivatable(env: Env, services: Services, version: string): Promise<void> {
  const row = await getModelVersion(env.DB, version);
  if (!row) throw ApiError.notFound(`unknown model version '${version}'`);
  if (row.model === "diffgrm") {
    await checkRemoteModel(env, services, remoteManifest(row), services.registerProbeMs);
  } else if (row.model !== "popularity") {
    await services.artifacts.get(env.ARTIFACTS, version).catch((err: unknown) => {
      if (err instanceof ArtifactError)
        throw new ApiError(422, "invalid_artifact", `cannot promote ${version}: ${err.message}`);
      throw err;
    });
  }
}
