import { z } from "zod";

/** Metadata every public wire shape carries: `id` names it in JSON Schema, OpenAPI and Python. */
export interface SchemaMeta {
  id: string;
  description: string;
}

/**
 * The one explicit registry of wire shapes. Everything registered here is emitted to
 * `shared/schema/genrec.schema.json` and from there to the gpu-worker's pydantic models.
 * Kept as a module export (not on globalThis) so tests can build their own.
 */
export const wire = z.registry<SchemaMeta>();

/** Registers `schema` under `id`; returns it unchanged so definitions stay one expression. */
export function define<T extends z.ZodType>(id: string, description: string, schema: T): T {
  wire.add(schema, { id, description });
  return schema;
}
