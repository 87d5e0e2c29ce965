import type { ErrorEnvelope } from "@genrec/shared";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { ApiError } from "./api-error.ts";

/** 415 naming the header: only JSON bodies are validated, so JSON is what a route takes. */
function unsupportedMediaType(c: Context): ApiError {
  const type = c.req.header("content-type");
  const message = type
    ? `Content-Type '${type}' is not accepted: send application/json`
    : "missing Content-Type header: send application/json";
  return new ApiError(415, "unsupported_media_type", message, [
    { code: "unsupported_media_type", path: ["header", "content-type"], message },
  ]);
}

/** Maps Hono's own exceptions (malformed JSON, bad content type, body limit) onto our codes. */
function fromHttpException(err: HTTPException, c: Context): ApiError {
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
      return unsupportedMediaType(c);
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
  else if (err instanceof HTTPException) apiError = fromHttpException(err, c);
  else {
    // The cause stays in the logs; clients get a generic message and the request id to quote.
    console.error(
      JSON.stringify({ level: "error", request_id: c.get("requestId"), error: String(err.stack ?? err) }),
    );
    apiError = new ApiError(500, "internal", "internal error");
  }
  return c.json(envelope(c, apiError), apiError.status);
};

type Route = { method: string; path: string };

/** The methods served on `path`, by matching it against every route's pattern (`:param` = a segment). */
function allowedMethods(routes: readonly Route[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (route.method === "ALL") continue;
    const pattern = route.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:\w+/g, "[^/]+");
    if (new RegExp(`^${pattern}$`).test(path)) methods.add(route.method);
  }
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/**
 * No route answered: 405 with an Allow header when the path exists under other methods (TRACE
 * /health), else 404. `routes` is read per request, so routes added after this handler count.
 */
export function notFoundHandler(routes: () => readonly Route[]): NotFoundHandler {
  return (c) => {
    const allowed = allowedMethods(routes(), c.req.path);
    if (allowed.length === 0)
      return c.json(envelope(c, ApiError.notFound(`no route for ${c.req.method} ${c.req.path}`)), 404);
    c.header("Allow", allowed.join(", "));
    const message = `${c.req.method} is not allowed on ${c.req.path}: use ${allowed.join(", ")}`;
    return c.json(envelope(c, new ApiError(405, "method_not_allowed", message)), 405);
  };
}

export const notFound: NotFoundHandler = notFoundHandler(() => []);
