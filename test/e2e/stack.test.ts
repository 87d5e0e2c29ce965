import { type LocalStack, startLocalStack } from "@genrec/infra/local-stack";
import { ErrorEnvelope, HealthResponse, Liveness, Readiness } from "@genrec/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Free ports picked by the launcher, so a running `npm start` (or another test run) never collides.
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.stop();
});

const rpc = (method: string, body: unknown, token?: string) =>
  fetch(`${stack.gpuUrl}/rpc/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

describe("local stack: wrangler dev + gpu-worker", () => {
  it("talks to the servers it started: both health routes report this run's instance value", async () => {
    expect(stack.edgeUrl).not.toMatch(/:8787$/);
    expect((await fetch(`${stack.edgeUrl}/health`)).headers.get("x-genrec-instance")).toBe(stack.instance);
    expect((await fetch(`${stack.gpuUrl}/healthz`)).headers.get("x-genrec-instance")).toBe(stack.instance);
  });

  it("serves the edge in workerd with migrated local D1 and R2", async () => {
    expect(Liveness.parse(await (await fetch(`${stack.edgeUrl}/health`)).json()).status).toBe("ok");
    const ready = await fetch(`${stack.edgeUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(Readiness.parse(await ready.json())).toMatchObject({
      status: "ready",
      checks: { d1: true, r2: true },
    });
  });

  it("answers the GPU worker's RPC health with a schema-valid reply", async () => {
    const res = await rpc("health", {}, stack.gpuToken);
    expect(res.status).toBe(200);
    expect(HealthResponse.parse(await res.json())).toMatchObject({
      status: "ok",
      runtime: "local",
      device: "cpu",
    });
  });

  it("refuses RPC without the token, and with a wrong one, using the shared error envelope", async () => {
    const missing = await rpc("health", {});
    expect(missing.status).toBe(401);
    expect(ErrorEnvelope.parse(await missing.json()).error.code).toBe("unauthorized");
    const wrong = await rpc("health", {}, "not-the-token");
    expect(wrong.status).toBe(403);
    expect(ErrorEnvelope.parse(await wrong.json()).error.code).toBe("forbidden");
  });

  it("rejects a malformed RPC body with 400 naming the field", async () => {
    const res = await rpc("embed", { texts: [] }, stack.gpuToken);
    expect(res.status).toBe(400);
    const body = ErrorEnvelope.parse(await res.json());
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues[0]?.path).toEqual(["texts"]);
  });
});
