import type { ErrorIssue } from "@genrec/shared";
import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import { ApiError } from "./api-error.ts";

/** zod issues -> our public issue list: `path` locates the field, prefixed by where it came from. */
export function toIssues(error: z.ZodError, where: string): ErrorIssue[] {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: [where, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))],
    message: issue.message,
  }));
}

/**
 * The validation hook every route shares. Without it the OpenAPI wrapper would answer zod's raw
 * error object as the 400 body; with it, a bad field becomes an ErrorEnvelope naming that field.
 */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) {
    const issues = toIssues(result.error, result.target);
    const first = issues[0];
    const where = first ? first.path.join(".") : result.target;
    throw ApiError.invalid(`invalid ${where}: ${first?.message ?? "bad input"}`, issues);
  }
};
