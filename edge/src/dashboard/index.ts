import { ExperimentStart, type RecommendResponse, SessionRecommendRequest, UserId } from "@genrec/shared";
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors/api-error.ts";
import { assignVersion } from "../experiments/assign.ts";
import { promote, start, stop } from "../experiments/lifecycle.ts";
import { recommend } from "../recommend/index.ts";
import { recentEvents } from "../storage/events.ts";
import { unknownItems } from "../storage/items.ts";
import { jobsPage } from "./jobs.ts";
import { page } from "./layout.ts";
import { modelsPage } from "./models.ts";
import { overviewPage } from "./overview.ts";
import { COOKIE, openSession, SESSION_S, validSession } from "./session.ts";
import { titles, tryPage } from "./try.ts";

type C = Context<AppEnv>;
// Pages hold no script; forms post only here; nothing may frame them.
const CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'";

/** What a successful form post says after its redirect (fixed texts; the id is escaped on the page). */
const DONE: Record<string, (id: string) => string> = {
  started: (id) => `Experiment ${id} is running.`,
  stopped: (id) => `Experiment ${id} stopped.`,
  promoted: (id) => `Experiment ${id} promoted: its winner is live.`,
};

const loginForm = html`<section><form class="row" method="post" action="/dashboard/login">
<label>Admin key<input name="key" type="password" autocomplete="current-password" required autofocus></label>
<button type="submit">Log in</button></form>
<p class="muted">The key is checked and a signed session cookie (8 h) is set; the key is never stored or put in a URL.</p></section>`;

const failure = (err: unknown) => {
  if (err instanceof ApiError) return { status: err.status, text: err.message };
  throw err;
};

async function overview(
  c: C,
  notice?: { text: string; ok?: boolean },
  status: 200 | 400 | 404 | 409 | 422 = 200,
) {
  return c.html(page("Overview", "/dashboard", overviewPage(c.env.DB), notice), status);
}

/** The dashboard: server-rendered pages behind an admin-key login, no client script. */
export function dashboardRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>().basePath("/dashboard");
  app.use(async (c, next) => {
    await next();
    c.header("content-security-policy", CSP);
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
  });
  app.get("/login", (c) => c.html(page("Log in", "/dashboard/login", loginForm)));
  app.post("/login", async (c) => {
    const key = (await c.req.parseBody()).key;
    const token = typeof key === "string" ? await openSession(c.env, key) : null;
    if (!token)
      return c.html(
        page("Log in", "/dashboard/login", loginForm, { text: "That is not an admin key." }),
        401,
      );
    const secure = new URL(c.req.url).protocol === "https:";
    setCookie(c, COOKIE, token, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/dashboard",
      secure,
      maxAge: SESSION_S,
    });
    return c.redirect("/dashboard", 303);
  });
  // Everything else needs a session; a form post must come from these pages: the cookie is
  // SameSite=Strict, and a post the browser marks as from another site is refused.
  app.use(async (c, next) => {
    if (!(await validSession(c.env, getCookie(c, COOKIE)))) return c.redirect("/dashboard/login", 303);
    const site = c.req.header("sec-fetch-site");
    if (c.req.method === "POST" && site !== undefined && site !== "same-origin" && site !== "none")
      return c.text("cross-site form post refused", 403);
    await next();
  });
  app.post("/logout", (c) => {
    deleteCookie(c, COOKIE, { path: "/dashboard" });
    return c.redirect("/dashboard/login", 303);
  });
  app.get("/", (c) => {
    const done = DONE[c.req.query("done") ?? ""];
    return overview(c, done ? { text: done(c.req.query("id") ?? ""), ok: true } : undefined);
  });
  app.get("/models", (c) => c.html(page("Versions", "/dashboard/models", modelsPage(c.env.DB))));
  app.get("/jobs", (c) => {
    const job = c.req.query("job") || undefined;
    const fetchJob = (job_id: string) => c.var.services.rpc(c.env).call("job_status", { job_id });
    return c.html(page("Training", "/dashboard/jobs", jobsPage(c.env.DB, job, fetchJob)));
  });
  app.get("/try", async (c) => {
    const input = { user: c.req.query("user") || undefined, items: c.req.query("items") || undefined };
    let answer: RecommendResponse | null = null;
    try {
      answer = await preview(c, input);
    } catch (err) {
      const { status, text } = failure(err);
      return c.html(page("Try it", "/dashboard/try", tryPage(input, null, new Map()), { text }), status);
    }
    const names = await titles(c.env.DB, answer?.items.map((i) => i.item_id) ?? []);
    return c.html(page("Try it", "/dashboard/try", tryPage(input, answer, names)));
  });
  app.post("/experiments", async (c) => {
    const form = await c.req.parseBody({ all: true });
    const list = (name: string) => [form[name]].flat().map((v) => (typeof v === "string" ? v.trim() : ""));
    const [names, versions, shares] = [list("arm_name"), list("arm_version"), list("arm_share")];
    const arms = names
      .map((name, i) => ({ name, version: versions[i] ?? "", share: Number(shares[i] || Number.NaN) }))
      .filter((a) => a.name !== "" || a.version !== "");
    const body = ExperimentStart.safeParse({ id: form.id, arms });
    if (!body.success) {
      const why = body.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
      return overview(c, { text: `Not started: ${why}` }, 400);
    }
    try {
      await start(c.env, c.var.services, body.data);
    } catch (err) {
      const { text } = failure(err);
      return overview(c, { text: `Not started: ${text}` }, 409);
    }
    return c.redirect(`/dashboard?done=started&id=${body.data.id}`, 303);
  });
  app.post("/experiments/:id/:action{stop|promote}", async (c) => {
    const { id, action } = c.req.param();
    try {
      if (action === "stop") await stop(c.env, c.var.services, id);
      else {
        const arm = (await c.req.parseBody()).arm;
        await promote(c.env, c.var.services, id, typeof arm === "string" ? arm : "");
      }
    } catch (err) {
      return overview(c, { text: failure(err).text }, 409);
    }
    // post, redirect, get: reloading the page shows it again instead of posting again
    return c.redirect(`/dashboard?done=${action === "stop" ? "stopped" : "promoted"}&id=${id}`, 303);
  });
  return app;
}

/** A recommendation as the user (or the session history) would get it now; not recorded as served. */
async function preview(c: C, input: { user?: string | undefined; items?: string | undefined }) {
  if (input.user !== undefined) {
    const user = UserId.safeParse(input.user);
    if (!user.success) throw ApiError.invalid("invalid user id", []);
    const { version } = await assignVersion(c, undefined, user.data);
    const rows = await recentEvents(c.env.DB, user.data, 1000);
    return recommend(c.env, c.var.services, version, {
      history: rows.map((r) => r.item_id),
      n: 10,
      excludeSeen: true,
    });
  }
  if (input.items === undefined) return null;
  const history = SessionRecommendRequest.shape.history.safeParse(
    input.items
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  if (!history.success) throw ApiError.invalid("item ids: 1 to 200 ids separated by commas", []);
  const { version } = await assignVersion(c, undefined, undefined);
  const unknown = await unknownItems(c.env.DB, history.data);
  return recommend(c.env, c.var.services, version, {
    history: history.data,
    n: 10,
    excludeSeen: true,
    unknownItems: unknown,
  });
}
