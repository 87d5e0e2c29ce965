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

export interface LogprobModel {
  /** Item-row histories, each exactly `maxLen` long, left-padded with 0 -> [B, digits, 256]. */
  run(histories: BigInt64Array, batch: number): Promise<Float32Array>;
  readonly digits: number;
}

/** Loads an exported user-side model (input `history` int64 [B, L], output `logprobs` [B, m, 256]). */
export async function loadLogprobModel(
  bytes: Uint8Array,
  maxLen: number,
  digits: number,
): Promise<LogprobModel> {
  configure();
  const session = await ort.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
  });
  return {
    digits,
    async run(histories, batch) {
      if (histories.length !== batch * maxLen) throw new Error(`expected ${batch}x${maxLen} history rows`);
      const feeds = { history: new ort.Tensor("int64", histories, [batch, maxLen]) };
      const { logprobs } = await session.run(feeds);
      if (logprobs?.type !== "float32" || logprobs.size !== batch * digits * 256) {
        throw new Error(
          `model answered ${logprobs?.type} of ${logprobs?.dims} instead of [${batch}, ${digits}, 256]`,
        );
      }
      return logprobs.data as Float32Array;
    },
  };
}
