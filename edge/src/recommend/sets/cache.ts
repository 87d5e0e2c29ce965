import { loadLogprobModel, loadUserModel } from "../../inference/ort.ts";
import { type LoadedSet, loadSet, type ModelLoaders } from "./load.ts";

/** onnxruntime-web inside the isolate. */
export const ORT_LOADERS: ModelLoaders = { logprobs: loadLogprobModel, user: loadUserModel };

/**
 * Artifact sets loaded once per isolate, by version, whatever their kind. Concurrent requests share
 * one load; a failed load is forgotten so the next request retries. Keeps the `capacity` most
 * recently used sets.
 */
export class ArtifactCache {
  readonly #sets = new Map<string, Promise<LoadedSet>>();

  constructor(private readonly capacity = 2) {}

  get(bucket: R2Bucket, version: string): Promise<LoadedSet> {
    let pending = this.#sets.get(version);
    if (pending) {
      this.#sets.delete(version); // re-insert: Map order is our recency order
    } else {
      const loading = loadSet(bucket, version, ORT_LOADERS);
      loading.catch(() => {
        if (this.#sets.get(version) === loading) this.#sets.delete(version);
      });
      pending = loading;
    }
    this.#sets.set(version, pending);
    while (this.#sets.size > this.capacity) this.#sets.delete(this.#sets.keys().next().value as string);
    return pending;
  }
}
