import type { EmbeddingManifest } from "@genrec/shared";
import type { UserModel } from "../../inference/models.ts";
import { ArtifactError, type ArtifactSource, type ItemTable, itemTable, readFiles } from "../sets/files.ts";

/** A loaded SASRec / eSASRec set: the user side and the item embeddings [N+1, dim]. */
export interface EmbeddingSet extends ItemTable {
  kind: "embedding";
  manifest: EmbeddingManifest;
  embeddings: Float32Array;
  model: UserModel;
}

export type UserModelLoader = (bytes: Uint8Array, maxLen: number, dim: number) => Promise<UserModel>;

/** Reads and checks a set: checksums (files.ts), the matrix's shape, a finite smoke inference. */
export async function loadEmbeddingSet(
  bucket: ArtifactSource,
  manifest: EmbeddingManifest,
  loadModel: UserModelLoader,
): Promise<EmbeddingSet> {
  const { n_items: n, dim, max_len: maxLen } = manifest;
  const [itemsBuf, embBuf, onnxBuf] = await readFiles(bucket, manifest, [
    "items.json",
    "embeddings.f32",
    manifest.onnx.file,
  ]);
  const items = itemTable(itemsBuf as ArrayBuffer, n);
  const embeddings = new Float32Array(embBuf as ArrayBuffer);
  if (embeddings.length !== (n + 1) * dim)
    throw new ArtifactError(`embeddings.f32 must hold ${n + 1} x ${dim} float32`);
  const model = await loadModel(new Uint8Array(onnxBuf as ArrayBuffer), maxLen, dim).catch((err: unknown) => {
    throw new ArtifactError(`${manifest.onnx.file} does not load: ${String(err)}`);
  });
  const history = new BigInt64Array(maxLen);
  history[maxLen - 1] = 1n;
  const user = await model.run(history, 1).catch((err: unknown) => {
    throw new ArtifactError(`smoke inference failed: ${String(err)}`);
  });
  if (!user.every(Number.isFinite)) throw new ArtifactError("smoke inference: the user vector is not finite");
  return { kind: "embedding", manifest, ...items, embeddings, model };
}
