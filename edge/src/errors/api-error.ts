import type { ErrorCode, ErrorIssue } from "@genrec/shared";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The edge's one error type. Thrown anywhere; `onError` turns it into the shared ErrorEnvelope. */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly issues: ErrorIssue[];

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, issues: ErrorIssue[] = []) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.issues = issues;
  }

  static invalid(message: string, issues: ErrorIssue[]): ApiError {
    return new ApiError(400, "invalid_request", message, issues);
  }

  static notFound(message: string): ApiError {
    return new ApiError(404, "not_found", message);
  }
}
