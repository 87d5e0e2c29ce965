/**
 * The user-side models an artifact set ships, over any onnxruntime build: onnxruntime-web in the
 * Worker (ort.ts), onnxruntime-node or -web in a plain process (bench/). Every answer is checked
 * for its name, type and size, so a set whose model disagrees with its manifest fails loudly.
 */

/** Session options of onnxruntime-web's wasm backend, in the isolate and in bench/ alike. */
export const WASM_SESSION_OPTIONS = { executionProviders: ["wasm"], graphOptimizationLevel: "all" } as const;

/** What this module needs of an onnxruntime build. */
export interface OrtRuntime {
  create(bytes: Uint8Array): Promise<OrtSession>;
  int64(data: BigInt64Array, dims: number[]): unknown;
  float32(data: Float32Array, dims: number[]): unknown;
}

export interface OrtSession {
  run(feeds: Record<string, unknown>): Promise<Record<string, OrtValue | undefined>>;
}

interface OrtValue {
  type: string;
  size: number;
  dims: readonly number[];
  data: unknown;
}

/** A user-side model: item-row histories, each exactly `maxLen` long, left-padded with 0. */
export interface HistoryModel {
  run(histories: BigInt64Array, batch: number): Promise<Float32Array>;
}

/** SASRec's and eSASRec's: -> user vectors [B, dim]. */
export interface UserModel extends HistoryModel {
  readonly dim: number;
}

/** An RPG set's text term as its model sees it (the manifest's `text`). */
export interface TextInputs {
  /** Width of the text vectors and of the query. */
  dim: number;
  /** Whether the model reads the newest history item's text vector (input `last_text` [B, dim]). */
  readsLast: boolean;
}

export interface RpgOutputs {
  /** Per-digit log-probabilities [B, digits, 256]. */
  logprobs: Float32Array;
  /** The text query [B, dim], for a set with a text term; else null. */
  textQuery: Float32Array | null;
}

/** RPG's: -> logprobs [B, digits, 256] (and text_query [B, dim] with a text term). */
export interface LogprobModel {
  readonly digits: number;
  readonly text: TextInputs | null;
  /** `lastText` [B, dim]: the newest history items' text vectors, required when `text.readsLast`. */
  run(histories: BigInt64Array, batch: number, lastText?: Float32Array): Promise<RpgOutputs>;
}

function output(out: Record<string, OrtValue | undefined>, name: string, batch: number, width: number) {
  const value = out[name];
  if (value?.type !== "float32" || value.size !== batch * width) {
    throw new Error(`model answered ${value?.type} of ${value?.dims} as ${name}, not ${batch} x ${width}`);
  }
  return value.data as Float32Array;
}

function historyFeed(ort: OrtRuntime, histories: BigInt64Array, batch: number, maxLen: number) {
  if (histories.length !== batch * maxLen) throw new Error(`expected ${batch}x${maxLen} history rows`);
  return ort.int64(histories, [batch, maxLen]);
}

/** A model with input `history` int64 [B, maxLen] whose `name` holds `width` float32s per history. */
export async function historyModel(
  ort: OrtRuntime,
  bytes: Uint8Array,
  maxLen: number,
  name: string,
  width: number,
): Promise<HistoryModel> {
  const session = await ort.create(bytes);
  return {
    async run(histories, batch) {
      const out = await session.run({ history: historyFeed(ort, histories, batch, maxLen) });
      return output(out, name, batch, width);
    },
  };
}

/** SASRec's / eSASRec's user side: output `user` [B, dim]. */
export async function userModel(ort: OrtRuntime, bytes: Uint8Array, maxLen: number, dim: number) {
  return { ...(await historyModel(ort, bytes, maxLen, "user", dim)), dim };
}

/** RPG's user side: output `logprobs` [B, digits, 256]; with `text`, also `text_query` [B, dim]. */
export async function logprobModel(
  ort: OrtRuntime,
  bytes: Uint8Array,
  maxLen: number,
  digits: number,
  text: TextInputs | null = null,
): Promise<LogprobModel> {
  const session = await ort.create(bytes);
  return {
    digits,
    text,
    async run(histories, batch, lastText) {
      const feeds: Record<string, unknown> = { history: historyFeed(ort, histories, batch, maxLen) };
      if (text?.readsLast) {
        if (lastText?.length !== batch * text.dim) throw new Error(`expected ${batch}x${text.dim} last_text`);
        feeds.last_text = ort.float32(lastText, [batch, text.dim]);
      }
      const out = await session.run(feeds);
      return {
        logprobs: output(out, "logprobs", batch, digits * 256),
        textQuery: text ? output(out, "text_query", batch, text.dim) : null,
      };
    },
  };
}
