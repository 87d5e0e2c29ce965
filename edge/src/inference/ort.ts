// wrangler turns a .wasm import into a compiled WebAssembly.Module at build time.
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";
import {
  type LogprobModel,
  logprobModel,
  type OrtRuntime,
  type TextInputs,
  type UserModel,
  userModel,
  WASM_SESSION_OPTIONS,
} from "./models.ts";

let configured = false;

/**
 * Points onnxruntime-web at the precompiled module. workerd forbids compiling wasm from bytes at
 * run time, so when ORT hands WebAssembly.instantiate its (placeholder) bytes we instantiate the
 * module wrangler compiled instead. One thread: Workers have no SharedArrayBuffer threads.
 */
function configure(): void {
  if (configured) return;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmBinary = new Uint8Array(8); // placeholder: steers ORT to instantiate(bytes, imports)
  const instantiate = WebAssembly.instantiate.bind(WebAssembly);
  const patched = (source: unknown, imports?: WebAssembly.Imports) =>
    source instanceof WebAssembly.Module
      ? instantiate(source, imports)
      : instantiate(ortWasm, imports).then((instance) => ({ instance, module: ortWasm }));
  WebAssembly.instantiate = patched as typeof WebAssembly.instantiate;
  configured = true;
}

/** onnxruntime-web's wasm backend, configured for the isolate. */
const WEB_RUNTIME: OrtRuntime = {
  async create(bytes) {
    configure();
    return ort.InferenceSession.create(bytes, WASM_SESSION_OPTIONS);
  },
  int64: (data, dims) => new ort.Tensor("int64", data, dims),
  float32: (data, dims) => new ort.Tensor("float32", data, dims),
};

/** RPG's user side: output `logprobs` [B, digits, 256] (and `text_query` with a text term). */
export function loadLogprobModel(
  bytes: Uint8Array,
  maxLen: number,
  digits: number,
  text: TextInputs | null = null,
): Promise<LogprobModel> {
  return logprobModel(WEB_RUNTIME, bytes, maxLen, digits, text);
}

/** SASRec's / eSASRec's user side: output `user` [B, dim]. */
export function loadUserModel(bytes: Uint8Array, maxLen: number, dim: number): Promise<UserModel> {
  return userModel(WEB_RUNTIME, bytes, maxLen, dim);
}
