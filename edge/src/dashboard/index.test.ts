import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ADMIN, CLIENT, event, ingest, T } from "../../test/helpers.ts";
import { createApp } from "../app.ts";
import { insertModelVersion } from "../storage/models.ts";
import { curves } from "./jobs.ts";

type App = ReturnType<typeof createApp>;
const ORIGIN = "http://edge.test";

async function login(app: App, key: string) {
  return app.request(
    `${ORIGIN}/dashboard/login`,
    { method: "POST", body: new URLSearchParams({ key }), headers: { origin: ORIGIN } },
    env,
  );
}

async function session(app: App): Promise<string> {
  const res = await login(app, ADMIN);
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie") ?? "";
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).not.toContain(ADMIN);
  return cookie.split(";")[0] ?? "";
}

const get = (app: App, path: string, cookie = "") =>
  app.request(`${ORIGIN}${path}`, { headers: { cookie } }, env);
const post = (
  app: App,
  path: string,
  cookie: string,
  form: Record<string, string | string[]>,
  site = "same-origin",
) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
  return app.request(
    `${ORIGIN}${path}`,
    { method: "POST", body, headers: { cookie, "sec-fetch-site": site } },
    env,
  );
};

describe("dashboard", () => {
  it("lets in only an admin key, with a session cookie that holds no key", async () => {
    const app = createApp();
    expect((await get(app, "/dashboard")).headers.get("location")).toBe("/dashboard/login");
    expect((await login(app, CLIENT)).status).toBe(401);
    expect((await login(app, "nope")).status).toBe(401);
    const cookie = await session(app);
    const page = await get(app, "/dashboard", cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(await page.text()).toContain("Live version");
    const forged = cookie.replace(/\.[A-Za-z0-9_-]{5}/, ".AAAAA");
    expect((await get(app, "/dashboard", forged)).status).toBe(303);
    const expired = cookie.replace(/=\d+\./, "=1000.");
    expect((await get(app, "/dashboard", expired)).status).toBe(303);
  });

  it("starts and promotes an experiment from forms, and refuses a cross-site post", async () => {
    const app = createApp();
    for (const version of ["pop-1", "pop-2"])
      await insertModelVersion(env.DB, { version, model: "popularity", manifest: "{}" });
    const cookie = await session(app);
    const form = {
      id: "web-1",
      arm_name: ["a", "b", ""],
      arm_version: ["pop-1", "pop-2", ""],
      arm_share: ["0.5", "0.5", ""],
    };
    expect((await post(app, "/dashboard/experiments", cookie, form, "cross-site")).status).toBe(403);
    const bad = await post(app, "/dashboard/experiments", cookie, { ...form, arm_share: ["0.5", "0.4", ""] });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("shares must sum to 1");
    const started = await post(app, "/dashboard/experiments", cookie, form);
    expect(started.status).toBe(303); // post, redirect, get: a reload posts nothing again
    const after = await get(app, started.headers.get("location") ?? "", cookie);
    expect(await after.text()).toContain("Experiment web-1 is running.");
    const promoted = await post(app, "/dashboard/experiments/web-1/promote", cookie, { arm: "b" });
    expect(promoted.status).toBe(303);
    const live = await get(app, promoted.headers.get("location") ?? "", cookie);
    expect(await live.text()).toMatch(/<strong>pop-2<\/strong> \(popularity\)/);
    expect((await post(app, "/dashboard/experiments/web-1/stop", cookie, {})).status).toBe(409);
  });

  it("answers the try-it box with item titles, and names a bad input", async () => {
    const app = createApp();
    await env.DB.prepare(
      "INSERT INTO items (id, title, updated_at) VALUES ('i1', 'Rose soap', 1), ('i2', 'Mint gel', 1)",
    ).run();
    await ingest(app, [
      event("e1", "u1", "i1", T(1)),
      event("e2", "u2", "i2", T(2)),
      event("e3", "u3", "i2", T(3)),
    ]);
    const cookie = await session(app);
    const page = await (await get(app, "/dashboard/try?user=u1", cookie)).text();
    expect(page).toContain("Mint gel");
    expect(page).not.toContain("Rose soap"); // seen by u1
    const session2 = await (await get(app, "/dashboard/try?items=i2", cookie)).text();
    expect(session2).toContain("Rose soap");
    const bad = await get(app, "/dashboard/try?user=a%20b", cookie);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("invalid user id");
    const models = await (await get(app, "/dashboard/models", cookie)).text();
    expect(models).toContain("No published versions yet");
  });

  it("reads loss and validation curves from the trainer's epoch lines", () => {
    const [valid, loss] = curves([
      "training RPG tiny: up to 2 epochs",
      "epoch 1/2: loss 5.1000 1.0s valid score 0.0100 (best 0.0100 @ 1)",
      "epoch 2/2: loss 4.2000 1.0s",
    ]);
    expect(valid?.points).toEqual([[1, 0.01]]);
    expect(loss?.points).toEqual([
      [1, 5.1],
      [2, 4.2],
    ]);
  });
});
