import type { ErrorEnvelope } from "@genrec/shared";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "./api-error.ts";

/** Maps Hono's own exceptions (malformed JSON, bad content type, body limit) onto our codes. */
function fromHttpException(err: HTTPException): ApiError {
  switch (err.status) {
    case 400:
      return ApiError.invalid(err.message || "malformed request", [
        { code: "malformed", path: [], message: err.message || "malformed request" },
      ]);
    case 401:
      return new ApiError(401, "unauthorized", err.message || "authentication required");
    case 403:
      return new ApiError(403, "forbidden", err.message || "not allowed");
    case 413:
      return new ApiError(413, "payload_too_large", err.message || "request body too large");
    case 415:
      return new ApiError(415, "unsupported_media_type", err.message || "unsupported content type");
    default:
      return new ApiError(err.status, err.status < 500 ? "invalid_request" : "internal", err.message);
  }
}

function envelope(c: Context, err: ApiError): ErrorEnvelope {
  return {
    error: { code: err.code, message: err.message, issues: err.issues },
    request_id: c.get("requestId") ?? "",
  };
}

/** The one error mapper: ApiError as is, Hono exceptions translated, anything else a logged 500. */
export const onError: ErrorHandler = (err, c) => {
  let apiError: ApiError;
  if (err instanceof ApiError) apiError = err;
  else if (err instanceof HTTPException) apiError = fromHttpException(err);
  else {
    // The cause stays in the logs; clients get a generic message and the request id to quote.
    console.error(
      JSON.stringify({ level: "error", request_id: c.get("requestId"), error: String(err.stack ?? err) }),
    );
    apiError = new ApiError(500, "internal", "internal error");
  }
  return c.json(envelope(c, apiError), apiError.status);
};

export const notFound: NotFoundHandler = (c) =>
  c.json(envelope(c, ApiError.notFound(`no route for ${c.req.method} ${c.req.path}`)), 404);
