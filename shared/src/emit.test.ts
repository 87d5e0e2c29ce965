import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
// Through the index, so every module has registered its shapes (registration is an import side effect).
import { renderJsonSchema, rpcMethods, SCHEMA_FILE, type SchemaMeta, wire } from "./index.ts";

const committed = readFileSync(fileURLToPath(new URL(`../schema/${SCHEMA_FILE}`, import.meta.url)), "utf8");

describe("emitted JSON Schema", () => {
  it("is up to date with the zod sources (run `npm run gen` when this fails)", () => {
    expect(renderJsonSchema(wire)).toBe(committed);
  });

  it("catches a schema change that was not regenerated", () => {
    // Swap one registered shape for an edited copy, as an edit to rpc.ts would, then restore it.
    const original = rpcMethods.health.response;
    const meta = wire.get(original) as SchemaMeta;
    const edited = original.extend({ uptime_s: z.number() });
    wire.remove(original).add(edited, meta);
    try {
      expect(renderJsonSchema(wire)).not.toBe(committed);
      expect(renderJsonSchema(wire)).toContain('"uptime_s"');
    } finally {
      wire.remove(edited).add(original, meta);
    }
    expect(renderJsonSchema(wire)).toBe(committed);
  });

  it("defines every RPC request and reply", () => {
    const ids = Object.keys(JSON.parse(committed).$defs);
    for (const { request, response } of Object.values(rpcMethods)) {
      expect(ids).toContain(wire.get(request)?.id);
      expect(ids).toContain(wire.get(response)?.id);
    }
  });
});
