import { env } from "cloudflare:test";
import { ErrorEnvelope, IngestResult } from "@genrec/shared";
import { expect } from "vitest";
import type { createApp } from "../src/app.ts";

export const ADMIN = "test-admin-key";
export const CLIENT = "test-client-key";

export type App = ReturnType<typeof createApp>;

/** One request through a fresh app (no server), as `key` (null: no Authorization header). */
export async function call(
  app: App,
  method: string,
  path: string,
  { key = ADMIN, body, raw }: { key?: string | null; body?: unknown; raw?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined || raw !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers };
  if (raw !== undefined) init.body = raw;
  else if (body !== undefined) init.body = JSON.stringify(body);
  return app.request(path, init, env);
}

/** Asserts an error answer and returns its envelope. */
export async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = ErrorEnvelope.parse(await res.json());
  expect(body.error.code).toBe(code);
  return body;
}

/** Every stored row, to prove a rejected request changed nothing. */
export async function snapshot(db: D1Database): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const table of ["items", "events", "model_versions"]) {
    out[table] = (await db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()).results;
  }
  return out;
}

export const event = (id: string, user: string, item: string, timestamp: string, type = "view") => ({
  event_id: id,
  user_id: user,
  item_id: item,
  timestamp,
  type,
});

/** Binary fixtures travel as base64 JSON (Vite would try to parse raw binaries as modules). */
export function fromBase64(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** 2026-11-24 10:mm UTC, as an event timestamp. */
export const T = (minute: number) => `2026-11-24T10:${String(minute).padStart(2, "0")}:00Z`;

/** Ingests `events` as admin and returns the parsed IngestResult (the request must succeed). */
export async function ingest(app: App, events: ReturnType<typeof event>[]) {
  const res = await call(app, "POST", "/v1/events", { body: { events } });
  expect(res.status).toBe(200);
  return IngestResult.parse(await res.json());
}
