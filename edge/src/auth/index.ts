import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors/api-error.ts";
import { matchesAny, parseKeys } from "./keys.ts";

export type Role = "client" | "admin";

function bearer(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

/**
 * Requires an API key from the `Authorization: Bearer` header. Client keys (CLIENT_KEYS) read;
 * admin keys (ADMIN_KEYS) also write, train and activate. Keys come from secrets only.
 * Missing key: 401. A key that is unknown, or a client key on an admin route: 403.
 */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async function requireRoleHandler(c, next) {
    const key = bearer(c.req.header("authorization"));
    if (key === null) {
      throw new ApiError(401, "unauthorized", "missing API key: send 'Authorization: Bearer <key>'");
    }
    const admin = await matchesAny(key, parseKeys(c.env.ADMIN_KEYS));
    const client = admin || (await matchesAny(key, parseKeys(c.env.CLIENT_KEYS)));
    if (!client) throw new ApiError(403, "forbidden", "unknown API key");
    if (role === "admin" && !admin) throw new ApiError(403, "forbidden", "this route needs an admin key");
    await next();
  };
}
