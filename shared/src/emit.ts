import { z } from "zod";
import type { SchemaMeta } from "./registry.ts";

export const SCHEMA_FILE = "genrec.schema.json";

/**
 * Builds the JSON Schema document for every shape in `registry`: one `$defs` entry per id,
 * cross-references as `#/$defs/<id>`. Input mode, so defaulted fields are optional — the
 * shape a producer may send.
 */
export function buildJsonSchema(registry: z.core.$ZodRegistry<SchemaMeta>): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, {
    io: "input",
    metadata: registry,
    target: "draft-2020-12",
    uri: (id) => `#/$defs/${id}`,
    unrepresentable: "throw",
  });
  const defs: Record<string, unknown> = {};
  for (const id of Object.keys(schemas).sort()) {
    const { $schema: _drop, $id: _uri, id: _id, ...rest } = schemas[id] as Record<string, unknown>;
    defs[id] = rest;
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://genrec-edge.dev/schema/genrec.schema.json",
    title: "genrec-edge wire shapes",
    description: "Generated from shared/src by `npm run gen`. Do not edit.",
    $defs: defs,
  };
}

/** The exact file text `npm run gen` writes, so a drift check is a string comparison. */
export function renderJsonSchema(registry: z.core.$ZodRegistry<SchemaMeta>): string {
  return `${JSON.stringify(buildJsonSchema(registry), null, 2)}\n`;
}
