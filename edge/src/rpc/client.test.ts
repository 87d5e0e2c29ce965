import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { useNetwork } from "../../test/network.ts";
import { ApiError } from "../errors/api-error.ts";
import { createRpcClient } from "./client.ts";

// The GPU worker on Modal cannot be reached from tests: msw stands in at that network edge.
const BASE = "https://gpu.example.test";
const server = useNetwork();

const client = () =>
  createRpcClient({ baseUrl: BASE, token: "t0ken", timeoutMs: 200, retries: 2, backoffMs: 1 });
const job = {
  job_id: "j1",
  model: "rpg",
  state: "running",
  phase: "train",
  progress: 0.5,
  created_at: "2026-11-24T10:00:00Z",
  updated_at: "2026-11-24T10:01:00Z",
  logs: ["epoch 1"],
};

async function failure(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

describe("RPC client", () => {
  it("sends the bearer token and parses the reply with the shared schema", async () => {
    let auth: string | null = null;
    server.use(
      http.post(`${BASE}/rpc/job_status`, ({ request }) => {
        auth = request.headers.get("authorization");
        return HttpResponse.json(job);
      }),
    );
    const reply = await client().call("job_status", { job_id: "j1" });
    expect(auth).toBe("Bearer t0ken");
    expect(reply.state).toBe("running");
  });

  it("retries an idempotent call after a 5xx and succeeds", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/rpc/job_status`, () => {
        calls += 1;
        return calls < 3 ? new HttpResponse(null, { status: 503 }) : HttpResponse.json(job);
      }),
    );
    expect((await client().call("job_status", { job_id: "j1" })).job_id).toBe("j1");
    expect(calls).toBe(3);
  });

  it("never retries train, which is not idempotent", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/rpc/train`, () => {
        calls += 1;
        return new HttpResponse(null, { status: 500 });
      }),
    );
    const err = await failure(
      client().call("train", { model: "rpg", dataset: { kind: "builtin", name: "sample" } }),
    );
    expect(err).toMatchObject({ status: 502, code: "upstream_unavailable" });
    expect(calls).toBe(1);
  });

  it("turns a slow worker into upstream_timeout after the deadline", async () => {
    server.use(
      http.post(`${BASE}/rpc/health`, async () => {
        await delay(2000);
        return HttpResponse.json({});
      }),
    );
    const err = await failure(client().call("health", {}, { timeoutMs: 50 }));
    expect(err).toMatchObject({ status: 504, code: "upstream_timeout" });
  });

  it("rejects a reply that breaks the schema as upstream_invalid, without retrying", async () => {
    let calls = 0;
    server.use(
      http.post(`${BASE}/rpc/job_status`, () => {
        calls += 1;
        return HttpResponse.json({ ...job, progress: 7 });
      }),
    );
    expect(await failure(client().call("job_status", { job_id: "j1" }))).toMatchObject({
      status: 502,
      code: "upstream_invalid",
    });
    expect(calls).toBe(1);
  });

  it("passes a worker's 4xx envelope through with its code", async () => {
    server.use(
      http.post(`${BASE}/rpc/job_status`, () =>
        HttpResponse.json(
          { error: { code: "not_found", message: "no job j9", issues: [] }, request_id: "r" },
          { status: 404 },
        ),
      ),
    );
    expect(await failure(client().call("job_status", { job_id: "j9" }))).toMatchObject({
      status: 404,
      code: "not_found",
      message: "no job j9",
    });
  });

  it("reports an unreachable worker as upstream_unavailable", async () => {
    server.use(http.post(`${BASE}/rpc/health`, () => HttpResponse.error()));
    expect(await failure(client().call("health", {}))).toMatchObject({
      status: 502,
      code: "upstream_unavailable",
    });
  });
});
