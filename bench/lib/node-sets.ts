import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import { logprobModel, type OrtRuntime, userModel } from "../../edge/src/inference/models.ts";
import type { ArtifactSource } from "../../edge/src/recommend/sets/files.ts";
import type { ModelLoaders } from "../../edge/src/recommend/sets/load.ts";

/** An exported set's directory read through the R2 `get` interface, so the edge's loaders check it. */
export function directorySource(dir: string): ArtifactSource {
  return {
    get: (async (key: string) => {
      const bytes = readFileSync(join(dir, key.split("/").at(-1) as string));
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return { arrayBuffer: async () => buffer, json: async () => JSON.parse(bytes.toString("utf8")) };
    }) as unknown as ArtifactSource["get"],
  };
}

/** onnxruntime-node on one thread. */
const nodeRuntime: OrtRuntime = {
  create: (bytes) => ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 }),
  int64: (data, dims) => new ortNode.Tensor("int64", data, dims),
  float32: (data, dims) => new ortNode.Tensor("float32", data, dims),
};

/** The edge's model loaders with onnxruntime-node in place of onnxruntime-web. */
export const nodeLoaders: ModelLoaders = {
  logprobs: (bytes, maxLen, digits, text) => logprobModel(nodeRuntime, bytes, maxLen, digits, text),
  user: (bytes, maxLen, dim) => userModel(nodeRuntime, bytes, maxLen, dim),
};
