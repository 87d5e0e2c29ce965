import { env } from "cloudflare:test";
import { ErrorEnvelope } from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../app.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "./api-error.ts";
import { notFound, onError } from "./on-error.ts";
import { validationHook } from "./validation-hook.ts";

// A throwaway app wired exactly like the real one, with routes that fail on purpose.
function probeApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);
  const body = z.strictObject({ name: z.string().min(2), tags: z.array(z.string()).max(2) });
  app.openapi(
    createRoute({
      method: "post",
      path: "/things/{id}",
      request: {
        params: z.object({ id: z.string().regex(/^\d+$/) }),
        body: { content: { "application/json": { schema: body } }, required: true },
      },
      responses: { 200: { description: "ok" } },
    }),
    (c) => c.json({ ok: true }, 200),
  );
  app.get("/conflict", () => {
    throw new ApiError(409, "conflict", "already there");
  });
  app.get("/boom", () => {
    throw new Error("secret database detail");
  });
  return app;
}

async function envelope(res: Response) {
  return ErrorEnvelope.parse(await res.json());
}

const post = (path: string, body: string) =>
  probeApp().request(path, { method: "POST", body, headers: { "content-type": "application/json" } }, env);

describe("error envelope", () => {
  it("names the wrong body field", async () => {
    const res = await post("/things/1", JSON.stringify({ name: "x", tags: [] }));
    expect(res.status).toBe(400);
    const { error } = await envelope(res);
    expect(error.code).toBe("invalid_request");
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ code: "too_small", path: ["json", "name"] });
    expect(error.message).toContain("json.name");
  });

  it("names the wrong path parameter", async () => {
    const res = await post("/things/abc", JSON.stringify({ name: "xy", tags: [] }));
    expect(res.status).toBe(400);
    expect((await envelope(res)).error.issues[0]?.path).toEqual(["param", "id"]);
  });

  it("rejects unknown fields instead of ignoring them", async () => {
    const res = await post("/things/1", JSON.stringify({ name: "xy", tags: [], extra: 1 }));
    expect(res.status).toBe(400);
    expect((await envelope(res)).error.issues[0]?.code).toBe("unrecognized_keys");
  });

  it("answers malformed JSON with 400, not 500", async () => {
    const res = await post("/things/1", "{not json");
    expect(res.status).toBe(400);
    expect((await envelope(res)).error.code).toBe("invalid_request");
  });

  it("passes ApiError through with its status and code", async () => {
    const res = await probeApp().request("/conflict", {}, env);
    expect(res.status).toBe(409);
    expect((await envelope(res)).error.code).toBe("conflict");
  });

  it("hides unexpected errors behind a generic 500", async () => {
    const res = await probeApp().request("/boom", {}, env);
    expect(res.status).toBe(500);
    const body = await envelope(res);
    expect(body.error).toEqual({ code: "internal", message: "internal error", issues: [] });
    expect(JSON.stringify(body)).not.toContain("secret");
  });

  it("answers unknown routes of the real app with a 404 envelope and a request id", async () => {
    const res = await createApp().request("/nope", {}, env);
    expect(res.status).toBe(404);
    const body = await envelope(res);
    expect(body.error.code).toBe("not_found");
    expect(body.request_id).toBe(res.headers.get("x-request-id"));
    expect(body.request_id).not.toBe("");
  });
});
