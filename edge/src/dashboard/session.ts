import { parseKeys } from "../auth/keys.ts";

/*
 * The dashboard's session: after a login form posts an admin key, the browser holds a cookie with
 * an expiry and an HMAC of it under that key, never the key itself, and no key ever travels in a
 * URL. Any configured admin key that signs the expiry admits it; removing a key ends its sessions.
 */

export const COOKIE = "genrec_dashboard";
export const SESSION_S = 8 * 3600;
const encoder = new TextEncoder();

async function sign(key: string, expiry: number): Promise<string> {
  const hmac = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", hmac, encoder.encode(`genrec-dashboard:${expiry}`));
  return btoa(String.fromCharCode(...new Uint8Array(mac)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** A session token for `key` if it is an admin key, else null. */
export async function openSession(env: Env, key: string, now = Date.now()): Promise<string | null> {
  const expiry = Math.floor(now / 1000) + SESSION_S;
  const keys = parseKeys(env.ADMIN_KEYS);
  const token = `${expiry}.${await sign(key, expiry)}`;
  return (await validSession(env, token, now, keys)) ? token : null;
}

/** Whether `token` is unexpired and signed by one of the admin keys (compared in constant time). */
export async function validSession(
  env: Env,
  token: string | undefined,
  now = Date.now(),
  keys = parseKeys(env.ADMIN_KEYS),
): Promise<boolean> {
  const match = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token ?? "");
  if (!match) return false;
  const expiry = Number(match[1]);
  if (expiry * 1000 <= now) return false;
  let found = false;
  for (const key of keys) {
    const expected = encoder.encode(await sign(key, expiry));
    const given = encoder.encode(match[2] ?? "");
    found = (expected.length === given.length && crypto.subtle.timingSafeEqual(expected, given)) || found;
  }
  return found;
}
