import * as ortWeb from "onnxruntime-web/wasm";
import type { ModelLoader } from "../../edge/src/recommend/rpg/artifacts.ts";

/**
 * RPG's user side on onnxruntime-web's wasm backend in this process, one thread and the session
 * options of edge/src/inference/ort.ts: the runtime the isolate runs, without the isolate.
 */
export const webLogprobs: ModelLoader = async (bytes, maxLen, digits) => {
  ortWeb.env.wasm.numThreads = 1;
  const session = await ortWeb.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  return {
    digits,
    async run(history, batch) {
      const out = await session.run({ history: new ortWeb.Tensor("int64", history, [batch, maxLen]) });
      return out.logprobs?.data as Float32Array;
    },
  };
};
