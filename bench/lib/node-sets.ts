import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
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

/** onnxruntime-node on one thread: runs `output` of a history model in this process. */
async function nodeModel(bytes: Uint8Array, maxLen: number, output: string) {
  const session = await ortNode.InferenceSession.create(bytes, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return async (history: BigInt64Array, batch: number) => {
    const out = await session.run({ history: new ortNode.Tensor("int64", history, [batch, maxLen]) });
    return out[output]?.data as Float32Array;
  };
}

/** The edge's model loaders with onnxruntime-node in place of onnxruntime-web. */
export const nodeLoaders: ModelLoaders = {
  logprobs: async (bytes, maxLen, digits) => ({ digits, run: await nodeModel(bytes, maxLen, "logprobs") }),
  user: async (bytes, maxLen, dim) => ({ dim, run: await nodeModel(bytes, maxLen, "user") }),
};
