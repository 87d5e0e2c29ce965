import { ErrorEnvelope, type RpcMethod, type RpcRequest, type RpcResponse, rpcMethods } from "@genrec/shared";
import { ApiError } from "../errors/api-error.ts";

/** Methods safe to repeat: reads, and cancel (cancelling twice is cancelling once). `train` is not. */
const IDEMPOTENT: ReadonlySet<RpcMethod> = new Set([
  "health",
  "embed",
  "assign_sids",
  "job_status",
  "cancel_job",
  "denoise",
]);

export interface RpcClientOptions {
  baseUrl: string;
  token: string;
  /** Per-attempt deadline. */
  timeoutMs?: number;
  /** Extra attempts for idempotent methods after a timeout, network error or 5xx. */
  retries?: number;
  backoffMs?: number;
}

export interface RpcClient {
  call<M extends RpcMethod>(
    method: M,
    body: RpcRequest<M>,
    opts?: { timeoutMs?: number; retries?: number },
  ): Promise<RpcResponse<M>>;
}

/** What one attempt produced: a parsed reply, or an ApiError and whether another attempt may help. */
type Attempt<T> = { ok: true; value: T } | { ok: false; error: ApiError; retryable: boolean };

async function attempt<M extends RpcMethod>(
  url: string,
  token: string,
  body: unknown,
  method: M,
  timeoutMs: number,
): Promise<Attempt<RpcResponse<M>>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const timedOut =
      err instanceof DOMException && (err.name === "TimeoutError" || err.name === "AbortError");
    return timedOut
      ? {
          ok: false,
          retryable: true,
          error: new ApiError(
            504,
            "upstream_timeout",
            `GPU worker did not answer ${method} within ${timeoutMs} ms`,
          ),
        }
      : {
          ok: false,
          retryable: true,
          error: new ApiError(502, "upstream_unavailable", `GPU worker unreachable for ${method}`),
        };
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const parsed = rpcMethods[method].response.safeParse(json);
    if (parsed.success) return { ok: true, value: parsed.data as RpcResponse<M> };
    return {
      ok: false,
      retryable: false,
      error: new ApiError(502, "upstream_invalid", `GPU worker sent a malformed ${method} reply`),
    };
  }
  if (res.status >= 500) {
    return {
      ok: false,
      retryable: true,
      error: new ApiError(502, "upstream_unavailable", `GPU worker failed ${method} (${res.status})`),
    };
  }
  if (res.status === 401 || res.status === 403) {
    // The worker refused the edge itself: a server misconfiguration, never the caller's fault.
    const why = `GPU worker refused the edge's credentials for ${method} (${res.status}): check GPU_WORKER_TOKEN`;
    return { ok: false, retryable: false, error: new ApiError(502, "upstream_unavailable", why) };
  }
  // Another 4xx envelope from the worker is the caller's problem (unknown job, bad version): pass it on.
  const envelope = ErrorEnvelope.safeParse(json);
  if (envelope.success && res.status < 500) {
    const { code, message, issues } = envelope.data.error;
    const status = res.status as 400 | 404 | 409;
    return { ok: false, retryable: false, error: new ApiError(status, code, message, issues) };
  }
  return {
    ok: false,
    retryable: false,
    error: new ApiError(
      502,
      "upstream_invalid",
      `GPU worker answered ${res.status} without an error envelope`,
    ),
  };
}

/** A typed client for the GPU worker's `POST /rpc/<method>` contract. */
export function createRpcClient({
  baseUrl,
  token,
  timeoutMs = 10_000,
  retries = 2,
  backoffMs = 100,
}: RpcClientOptions): RpcClient {
  const root = baseUrl.replace(/\/+$/, "");
  return {
    async call(method, body, opts = {}) {
      const request = rpcMethods[method].request.parse(body); // our own bug if this throws
      const attempts = IDEMPOTENT.has(method) ? 1 + (opts.retries ?? retries) : 1;
      let last: ApiError | undefined;
      for (let i = 0; i < attempts; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (i - 1)));
        const result = await attempt(
          `${root}/rpc/${method}`,
          token,
          request,
          method,
          opts.timeoutMs ?? timeoutMs,
        );
        if (result.ok) return result.value;
        last = result.error;
        if (!result.retryable) break;
      }
      throw last as ApiError;
    },
  };
}
