import {
  type Function_,
  FunctionTimeoutError,
  InternalFailure,
  ModalClient,
  NotFoundError,
  RemoteError,
} from "modal";
import { CLI } from "../../usage.ts";

/*
 * The Modal JS SDK, as the gpu commands use it. Credentials and server come the way Modal's own tools
 * read them: MODAL_TOKEN_ID / MODAL_TOKEN_SECRET, else the active profile of ~/.modal.toml
 * (MODAL_CONFIG_PATH, MODAL_PROFILE); MODAL_SERVER_URL overrides the API address (the tests' stand-in).
 */

/** The deployed app (gpu-worker/modal_app.py) and the functions the gpu commands call. */
export const APP = "genrec-edge";
export type GpuFunction = "experiment" | "experiment_status" | "experiment_files";

/** How a run ended, when a call's outcome says so (a lost connection says nothing about the run). */
export type Outcome = "succeeded" | "failed" | "cancelled" | "timed-out";

/** A Modal failure said in the CLI's words; `cli.ts` prints the message and exits 1. */
export class GpuError extends Error {
  override name = "GpuError";
  constructor(
    message: string,
    readonly outcome?: Outcome,
  ) {
    super(message);
  }
}

export const NO_TOKEN =
  "no Modal credentials: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET, or run `uv run modal token new` " +
  "in gpu-worker/ (it writes ~/.modal.toml; MODAL_PROFILE picks a profile there)";

export function serverUrl(): string {
  return process.env.MODAL_SERVER_URL || "the Modal API (api.modal.com, or server_url in ~/.modal.toml)";
}

/** gRPC status codes the SDK's transport (nice-grpc) reports; only these change what we say. */
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;
const DEADLINE_EXCEEDED = 4;

function grpcCode(err: unknown): number | undefined {
  const code =
    err instanceof Error && err.name === "ClientError" ? (err as { code?: unknown }).code : undefined;
  return typeof code === "number" ? code : undefined;
}

/** What went wrong, for a person: the run's id and the next command when there is one. */
export function explain(err: unknown, run?: string): Error {
  if (err instanceof GpuError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const which = run ? `run ${run}` : "the call";
  const code = grpcCode(err);
  if (/missing credentials/i.test(msg)) return new GpuError(NO_TOKEN);
  if (code === UNAUTHENTICATED) return new GpuError(`Modal refused the token (${msg}); ${NO_TOKEN}`);
  if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED) {
    const next = run ? `; ${which} goes on there: pick it up with \`${CLI} gpu follow ${run}\`` : "";
    return new GpuError(`lost the connection to Modal at ${serverUrl()} (${msg})${next}`);
  }
  // FunctionTimeoutError matches the SDK's poll deadline too (instanceof shim): that one never gets here
  if (err instanceof FunctionTimeoutError)
    return new GpuError(
      `${which} timed out on Modal (${msg}): the experiment function's limit is ` +
        "GENREC_MODAL_EXPERIMENT_TIMEOUT_S at deploy time; lower the epochs with --set train.epochs=N or redeploy",
      "timed-out",
    );
  if (err instanceof RemoteError && /^Remote error:\s*$/.test(msg))
    return new GpuError(`${which} was cancelled on Modal`, "cancelled"); // a terminated input has no exception
  if (err instanceof RemoteError)
    return new GpuError(`${which} failed on Modal: ${msg.replace(/^Remote error: /, "")}`, "failed");
  if (err instanceof InternalFailure)
    return new GpuError(`${which} hit an internal failure on Modal: ${msg}`, "failed");
  return err instanceof Error ? err : new Error(msg);
}

/** One deployed function; an app that is not deployed (or lacks it) is a clear error. */
export async function lookup(client: ModalClient, name: GpuFunction): Promise<Function_> {
  try {
    return await client.functions.fromName(APP, name);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new GpuError(
        `the Modal app "${APP}" has no function "${name}" at ${serverUrl()}: deploy it first ` +
          `(\`${CLI} deploy\`, or \`uv run modal deploy modal_app.py\` in gpu-worker/)`,
      );
    throw explain(err);
  }
}

export const modalClient = () => new ModalClient();
