import { z } from "zod";
import { define } from "./registry.ts";

/** Stable, string error codes. Clients switch on these, never on messages. */
export const ErrorCode = z.enum([
  "invalid_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "upstream_timeout",
  "upstream_unavailable",
  "upstream_invalid",
  "invalid_artifact",
  "not_implemented",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One problem with the request: which field (`path`), what kind (`code`), in words (`message`). */
export const ErrorIssue = define(
  "ErrorIssue",
  "One problem found in a request, located by its path.",
  z.strictObject({
    code: z.string(),
    path: z.array(z.union([z.string(), z.number().int()])),
    message: z.string(),
  }),
);
export type ErrorIssue = z.infer<typeof ErrorIssue>;

export const ErrorEnvelope = define(
  "ErrorEnvelope",
  "The body of every 4xx/5xx answer, from the edge and from the GPU worker alike.",
  z.strictObject({
    error: z.strictObject({
      code: ErrorCode,
      message: z.string(),
      issues: z.array(ErrorIssue),
    }),
    request_id: z.string(),
  }),
);
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;
