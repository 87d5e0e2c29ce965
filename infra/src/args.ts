import {
  ExperimentParam,
  JobRef,
  RecommendQuery,
  RemoteModelManifest,
  SessionRecommendRequest,
  TrainJobRequest,
  UserParam,
  VersionParam,
} from "@genrec/shared";
import { z } from "zod";

/*
 * Command-line strings -> request values, checked by the same shared schemas the edge applies, so a
 * bad argument fails here with its name instead of as a 400 from the edge (or not at all).
 */

/** A command-line argument its schema refuses; the message names the argument and the value. */
export class ArgumentError extends Error {
  override name = "ArgumentError";
}

export function parseArg<T extends z.ZodType>(name: string, schema: T, raw: unknown): z.output<T> {
  return check(name, schema, raw, raw);
}

/** A numeric option; blank and non-numeric strings become NaN, which every number schema refuses. */
function numberArg<T extends z.ZodType>(name: string, schema: T, raw: string): z.output<T> {
  return check(name, schema, raw.trim() === "" ? Number.NaN : Number(raw), raw);
}

function check<T extends z.ZodType>(name: string, schema: T, value: unknown, raw: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new ArgumentError(`${name} ${JSON.stringify(raw)}: ${why}`);
  }
  return parsed.data;
}

const Port = z.int().min(0).max(65_535);
export const portArg = (name: string, raw: string) => numberArg(name, Port, raw);

export const versionArg = (raw: string) => parseArg("VERSION", VersionParam.shape.version, raw);
export const experimentArg = (raw: string) => parseArg("ID", ExperimentParam.shape.experiment_id, raw);
export const jobArg = (raw: string) => parseArg("JOB", JobRef.shape.job_id, raw);

export const PRESETS = TrainJobRequest.shape.preset.unwrap().options;

export const edgeUrlArg = (raw: string) =>
  parseArg("--edge", z.url({ protocol: /^https?$/, error: "an http(s) URL" }), raw).replace(/\/+$/, "");

export function trainArgs(values: { model: string; preset: string }): TrainJobRequest {
  return {
    model: parseArg("--model", TrainJobRequest.shape.model, values.model),
    preset: parseArg("--preset", TrainJobRequest.shape.preset, values.preset),
  };
}

type RemoteFields = Omit<z.input<typeof RemoteModelManifest>, "version" | "format" | "model">;

export function remoteArgs(values: {
  artifact: string;
  fallback?: string | undefined;
  "deadline-ms"?: string | undefined;
  beam?: string | undefined;
  "sid-artifact"?: string | undefined;
}): RemoteFields {
  const shape = RemoteModelManifest.shape;
  const { fallback, beam } = values;
  const sids = values["sid-artifact"];
  const deadline = values["deadline-ms"];
  return {
    artifact_version: parseArg("--artifact", shape.artifact_version, values.artifact),
    ...(fallback === undefined
      ? {}
      : { fallback_version: parseArg("--fallback", shape.fallback_version, fallback) }),
    ...(deadline === undefined
      ? {}
      : { deadline_ms: numberArg("--deadline-ms", shape.deadline_ms, deadline) }),
    ...(beam === undefined ? {} : { beam: numberArg("--beam", shape.beam, beam) }),
    ...(sids === undefined ? {} : { sid_artifact: parseArg("--sid-artifact", shape.sid_artifact, sids) }),
  };
}

export type RecommendArgs = { n: number } & ({ user: string } | { history: string[] });

export function recommendArgs(values: {
  n: string;
  user?: string | undefined;
  history?: string | undefined;
}): RecommendArgs {
  const n = parseArg("--n", RecommendQuery.shape.n.unwrap(), values.n);
  if (values.user !== undefined) return { n, user: parseArg("--user", UserParam.shape.user_id, values.user) };
  const history = (values.history ?? "").split(",").filter(Boolean);
  return { n, history: parseArg("--history", SessionRecommendRequest.shape.history, history) };
}
