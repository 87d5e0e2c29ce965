import {
  ArtifactUploadResult,
  ErrorEnvelope,
  Experiment,
  ExperimentList,
  type ExperimentStart,
  IngestResult,
  type Item,
  Job,
  MetricsReport,
  ModelList,
  ModelVersion,
  RecommendResponse,
  type RemoteModelManifest,
  type TrainJobRequest,
  UpsertResult,
} from "@genrec/shared";
import type { z } from "zod";
import { START_HINT } from "./config.ts";
import { INSTANCE_HEADER, instanceAt } from "./instance.ts";

export interface EdgeConfig {
  url: string;
  adminKey?: string | undefined;
  clientKey?: string | undefined;
  /** When set, keys are sent only after the edge's /health reports this instance value. */
  instance?: string | undefined;
}

/** An error answer of the edge, with its envelope's code and message. */
export class EdgeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

/** The edge could not be reached, or is not the stack the keys belong to: nothing was sent. */
export class EdgeUnreachableError extends Error {
  override name = "EdgeUnreachableError";
}

function unreachable(url: string, why: string): EdgeUnreachableError {
  return new EdgeUnreachableError(
    `cannot reach the edge at ${url} (${why}): ${START_HINT}, or pass --edge URL`,
  );
}

/** The fetch error's own reason (ECONNREFUSED, ...) rather than undici's bare "fetch failed". */
function reason(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  const code = cause instanceof Error ? (cause as NodeJS.ErrnoException).code : undefined;
  return code ?? (err instanceof Error ? err.message : String(err));
}

/** A small typed client of the public API; every reply is parsed with the shared schema. */
export function edgeClient(cfg: EdgeConfig) {
  let verified: Promise<void> | undefined;
  const verify = async () => {
    const reported = await instanceAt(`${cfg.url}/health`);
    if (reported === undefined) throw unreachable(cfg.url, "GET /health did not answer");
    if (reported !== cfg.instance)
      throw unreachable(cfg.url, `another server answers there (${INSTANCE_HEADER}: ${reported ?? "none"})`);
  };
  async function send<T extends z.ZodType>(
    schema: T,
    method: string,
    path: string,
    role: "admin" | "client",
    body?: Uint8Array | object,
  ) {
    const key = role === "admin" ? cfg.adminKey : (cfg.clientKey ?? cfg.adminKey);
    if (!key) throw new Error(`no ${role} key: set GENREC_${role.toUpperCase()}_KEY, or ${START_HINT}`);
    if (cfg.instance !== undefined) {
      verified ??= verify();
      await verified;
    }
    const headers: Record<string, string> = { authorization: `Bearer ${key}` };
    let payload: string | Uint8Array | undefined;
    if (body instanceof Uint8Array) {
      headers["content-type"] = "application/octet-stream";
      payload = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${cfg.url}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
    }).catch((err: unknown) => {
      throw unreachable(cfg.url, `${method} ${path}: ${reason(err)}`);
    });
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const envelope = ErrorEnvelope.safeParse(json);
      if (envelope.success)
        throw new EdgeError(res.status, envelope.data.error.code, envelope.data.error.message);
      throw new EdgeError(res.status, "unknown", `${method} ${path} answered ${res.status}`);
    }
    return schema.parse(json) as z.infer<T>;
  }
  return {
    upsertItems: (items: Item[]) => send(UpsertResult, "POST", "/v1/items/batch", "admin", { items }),
    ingest: (events: object[]) => send(IngestResult, "POST", "/v1/events", "admin", { events }),
    train: (req: TrainJobRequest) => send(Job, "POST", "/v1/train", "admin", req),
    job: (id: string) => send(Job, "GET", `/v1/jobs/${encodeURIComponent(id)}`, "admin"),
    cancel: (id: string) => send(Job, "POST", `/v1/jobs/${encodeURIComponent(id)}/cancel`, "admin"),
    models: () => send(ModelList, "GET", "/v1/models", "client"),
    activate: (version: string) => send(ModelVersion, "POST", `/v1/models/${version}/activate`, "admin"),
    rollback: () => send(ModelVersion, "POST", "/v1/models/rollback", "admin"),
    uploadFile: (version: string, name: string, bytes: Uint8Array) =>
      send(ArtifactUploadResult, "PUT", `/v1/models/${version}/files/${name}`, "admin", bytes),
    register: (version: string, manifest: object) =>
      send(ModelVersion, "POST", `/v1/models/${version}`, "admin", manifest),
    registerRemote: (
      version: string,
      manifest: Omit<z.input<typeof RemoteModelManifest>, "version" | "format" | "model">,
    ) =>
      send(ModelVersion, "POST", `/v1/models/${version}/remote`, "admin", {
        format: 1,
        version,
        model: "diffgrm",
        ...manifest,
      }),
    recommendForUser: (user: string, n: number) =>
      send(
        RecommendResponse,
        "GET",
        `/v1/users/${encodeURIComponent(user)}/recommendations?n=${n}`,
        "client",
      ),
    experiments: () => send(ExperimentList, "GET", "/v1/experiments", "client"),
    startExperiment: (body: ExperimentStart) => send(Experiment, "POST", "/v1/experiments", "admin", body),
    stopExperiment: (id: string) => send(Experiment, "POST", `/v1/experiments/${id}/stop`, "admin"),
    promoteExperiment: (id: string, arm: string) =>
      send(Experiment, "POST", `/v1/experiments/${id}/promote`, "admin", { arm }),
    metrics: (query: string) =>
      send(MetricsReport, "GET", `/v1/metrics${query ? `?${query}` : ""}`, "client"),
    recommendForSession: (history: string[], n: number) =>
      send(RecommendResponse, "POST", "/v1/recommendations", "client", { history, n }),
  };
}
export type EdgeClient = ReturnType<typeof edgeClient>;
