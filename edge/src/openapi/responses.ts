import { ErrorEnvelope } from "@genrec/shared";
import type { MiddlewareHandler } from "hono";
import type { z } from "zod";
import { type Role, requireRole } from "../auth/index.ts";
import type { AppEnv } from "../env.ts";

const DESCRIPTIONS = {
  400: "invalid request: `error.issues[].path` names the field",
  401: "missing API key",
  403: "unknown key, or a client key on an admin route",
  404: "not found",
  409: "conflict with stored state",
  413: "request body too large",
  415: "the Content-Type header is missing or not application/json",
  422: "the model failed validation (files, checksums, shapes, a smoke inference, or a remote check)",
  501: "not implemented for this model kind",
  502: "the GPU worker failed or answered out of contract",
  504: "the GPU worker missed its deadline",
} as const;
type ErrorStatus = keyof typeof DESCRIPTIONS;

/** OpenAPI entries for the error answers a route can give; all share the ErrorEnvelope body. */
export function errors(...statuses: ErrorStatus[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      { description: DESCRIPTIONS[s], content: { "application/json": { schema: ErrorEnvelope } } },
    ]),
  ) as Record<
    ErrorStatus,
    { description: string; content: { "application/json": { schema: typeof ErrorEnvelope } } }
  >;
}

/** A 200 JSON answer. */
export function ok<T extends z.ZodType>(schema: T, description: string) {
  return { 200: { description, content: { "application/json": { schema } } } };
}

/** A required JSON request body; `description` states the rules the schema alone cannot. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    content: { "application/json": { schema } },
    required: true,
    ...(description ? { description } : {}),
  };
}

/** The rule of bodies that repeat the path's id. */
export const samePathId = (field: string, param: string) =>
  `\`${field}\` must equal the path's \`${param}\` (400 naming json.${field} otherwise).`;

/**
 * What a keyed route needs: the OpenAPI security requirement and the role check, in one spread
 * (`...guard("admin")`) so the two can never disagree.
 */
export function guard(role: Role) {
  const middleware: [MiddlewareHandler<AppEnv>] = [requireRole(role)];
  return { security: [{ bearer: [] }], middleware };
}
