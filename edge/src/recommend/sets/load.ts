import type { ArtifactManifest } from "@genrec/shared";
import { type KnnSet, loadKnnSet } from "../knn/artifacts.ts";
import { type LoadedArtifacts, loadArtifacts, type ModelLoader } from "../rpg/artifacts.ts";
import { type EmbeddingSet, loadEmbeddingSet, type UserModelLoader } from "../sasrec/artifacts.ts";
import { type ArtifactSource, readManifest } from "./files.ts";

/** Any artifact set the edge serves itself, by `kind`: RPG, SASRec / eSASRec, content kNN. */
export type LoadedSet = LoadedArtifacts | EmbeddingSet | KnnSet;

/**
 * How the user-side ONNX models are built: onnxruntime-web in the Worker (cache.ts), any runtime
 * elsewhere (bench/). Passed in, so that this module loads outside workerd too.
 */
export interface ModelLoaders {
  logprobs: ModelLoader;
  user: UserModelLoader;
}

/**
 * Reads and checks the set of `version` (manifest.json, or `given` while registering) by its
 * model kind; every loader checks sizes, checksums and shapes, and runs a model once if it has one.
 */
export async function loadSet(
  bucket: ArtifactSource,
  version: string,
  loaders: ModelLoaders,
  given?: ArtifactManifest,
): Promise<LoadedSet> {
  const manifest = given ?? (await readManifest(bucket, version));
  switch (manifest.model) {
    case "rpg":
      return loadArtifacts(bucket, version, loaders.logprobs, manifest);
    case "sasrec":
    case "esasrec":
      return loadEmbeddingSet(bucket, manifest, loaders.user);
    case "content-knn":
      return loadKnnSet(bucket, manifest);
  }
}
