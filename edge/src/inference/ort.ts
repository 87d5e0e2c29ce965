// wrangler turns a .wasm import into a compiled WebAssembly.Module at build time.
import ortWasm from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import * as ort from "onnxruntime-web/wasm";

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

/** A user-side model: item-row histories, each exactly `maxLen` long, left-padded with 0. */
export interface HistoryModel {
  run(histories: BigInt64Array, batch: number): Promise<Float32Array>;
}

/** RPG's: -> logprobs [B, digits, 256]. */
export interface LogprobModel extends HistoryModel {
  readonly digits: number;
}

/** SASRec's and eSASRec's: -> user vectors [B, dim]. */
export interface UserModel extends HistoryModel {
  readonly dim: number;
}

/**
 * Loads an exported user side (input `history` int64 [B, maxLen]) whose `output` holds `width`
 * float32 values per history; anything else is an error naming what came back.
 */
export async function loadHistoryModel(
  bytes: Uint8Array,
  maxLen: number,
  output: string,
  width: number,
): Promise<HistoryModel> {
  configure();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  return {
    async run(histories, batch) {
      if (histories.length !== batch * maxLen) throw new Error(`expected ${batch}x${maxLen} history rows`);
      const feeds = { history: new ort.Tensor("int64", histories, [batch, maxLen]) };
      const out = (await session.run(feeds))[output];
      if (out?.type !== "float32" || out.size !== batch * width) {
        throw new Error(`model answered ${out?.type} of ${out?.dims} as ${output}, not ${batch} x ${width}`);
      }
      return out.data as Float32Array;
    },
  };
}

/** RPG's user side: output `logprobs` [B, digits, 256]. */
export async function loadLogprobModel(
  bytes: Uint8Array,
  maxLen: number,
  digits: number,
): Promise<LogprobModel> {
  return { ...(await loadHistoryModel(bytes, maxLen, "logprobs", digits * 256)), digits };
}

/** SASRec's / eSASRec's user side: output `user` [B, dim]. */
export async function loadUserModel(bytes: Uint8Array, maxLen: number, dim: number): Promise<UserModel> {
  return { ...(await loadHistoryModel(bytes, maxLen, "user", dim)), dim };
}
