import * as ortWeb from "onnxruntime-web/wasm";
import { logprobModel, type OrtRuntime, WASM_SESSION_OPTIONS } from "../../edge/src/inference/models.ts";
import type { ModelLoader } from "../../edge/src/recommend/rpg/artifacts.ts";

/**
 * onnxruntime-web's wasm backend in this process, one thread and the session options of
 * edge/src/inference/ort.ts: the runtime the isolate runs, without the isolate.
 */
const webRuntime: OrtRuntime = {
  create(bytes) {
    ortWeb.env.wasm.numThreads = 1;
    return ortWeb.InferenceSession.create(bytes, WASM_SESSION_OPTIONS);
  },
  int64: (data, dims) => new ortWeb.Tensor("int64", data, dims),
  float32: (data, dims) => new ortWeb.Tensor("float32", data, dims),
};

/** RPG's user side on that runtime. */
export const webLogprobs: ModelLoader = (bytes, maxLen, digits, text) =>
  logprobModel(webRuntime, bytes, maxLen, digits, text);
