import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../app.ts";

type Operation = {
  parameters?: { name: string; in: string; schema: Record<string, unknown> }[];
  requestBody?: { description?: string };
};

describe("/openapi.json carries the real rules", () => {
  it("publishes bounded integers, boolean enums and the body-equals-path rules", async () => {
    const doc = (await (await createApp().request("/openapi.json", {}, env)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const param = (path: string, method: string, name: string) =>
      doc.paths[path]?.[method]?.parameters?.find((p) => p.name === name)?.schema;
    const recommend = "/v1/users/{user_id}/recommendations";
    expect(param(recommend, "get", "n")).toEqual({ type: "integer", minimum: 1, maximum: 100 });
    const flag = param(recommend, "get", "exclude_seen") as { enum: string[] };
    expect(new Set(flag.enum)).toEqual(new Set(["true", "false", "1", "0"]));
    expect(param("/v1/users/{user_id}/history", "get", "limit")).toEqual({
      type: "integer",
      minimum: 1,
      maximum: 1000,
    });
    expect(param(recommend, "get", "user_id")).toMatchObject({ pattern: "^[^\\p{Cc}\\p{Cf}\\s]+$" });
    expect(doc.paths["/v1/items/{item_id}"]?.put?.requestBody?.description).toContain("item_id");
    expect(doc.paths["/v1/models/{version}"]?.post?.requestBody?.description).toContain("version");
    expect(doc.paths["/v1/models/{version}/remote"]?.post?.requestBody?.description).toContain("version");
  });
});
