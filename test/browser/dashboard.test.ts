import { execFile } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { publishDir } from "@genrec/infra/commands/models";
import { edgeClient } from "@genrec/infra/edge-client";
import { type LocalStack, REPO_ROOT, stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { removeDir, scratchDir } from "@genrec/infra/paths";
import { RecommendResponse } from "@genrec/shared";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sku, writeKnnSet } from "./fixture-set.ts";

/*
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (no browser download)
 * against wrangler dev, as a person uses it with the keyboard. Screenshots go to .genrec/tmp, or to
 * docs/dashboard/ with GENREC_SCREENSHOTS=docs (the README's pictures).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const home = scratchDir("browser-test");
const shots =
  process.env.GENREC_SCREENSHOTS === "docs" ? join(REPO_ROOT, "docs/dashboard") : join(home, "shots");
let stack: LocalStack;
let context: BrowserContext;
let page: Page;

const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(shots, { recursive: true });
  stack = await startLocalStack();
  const edge = edgeClient(stackEdge(stack));
  const { dir, items } = writeKnnSet(join(home, "knn-fixture"), "knn-fixture");
  const titles = [
    "Rose hand soap",
    "Mint shower gel",
    "Argan hair oil",
    "Clay face mask",
    "Shea body butter",
  ];
  await edge.upsertItems(
    Array.from({ length: items }, (_, i) => ({ id: sku(i + 1), title: titles[i % titles.length] ?? "" })),
  );
  const events = Array.from({ length: 40 }, (_, i) => ({
    event_id: `seed-${i}`,
    user_id: `user-${i % 8}`,
    item_id: sku(((i * 7) % items) + 1),
    timestamp: new Date(Date.UTC(2026, 10, 1, 0, i)).toISOString(),
    type: "purchase",
  }));
  await edge.ingest(events);
  await publishDir(edge, dir, () => {});
  // Playwright passes --headless and wants the profile folder here; a fresh one per run.
  context = await chromium.launchPersistentContext(join(home, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1100, height: 800 },
  });
  // a loaded CI machine may take a while to answer a first page from a cold isolate
  context.setDefaultTimeout(120_000);
  context.setDefaultNavigationTimeout(120_000);
  page = context.pages()[0] ?? (await context.newPage());
});

afterAll(async () => {
  await context?.close();
  await stack?.stop();
  removeDir(home);
});

const url = (path: string) => `${stack.edgeUrl}${path}`;

describe("dashboard in Chromium", () => {
  it("asks for the admin key, refuses a client key, and never puts a key in a URL", async () => {
    await page.goto(url("/dashboard"));
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");
    await shot("login");
    await page.keyboard.press("Tab"); // skip link first: the page works from the keyboard
    await page.getByLabel("Admin key").fill(stack.clientKey);
    await page.getByLabel("Admin key").press("Enter");
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("not an admin key");
    await page.getByLabel("Admin key").fill(stack.adminKey);
    await page.getByLabel("Admin key").press("Enter");
    await page.waitForURL(url("/dashboard"));
    expect(page.url()).not.toContain(stack.adminKey);
    const cookies = await context.cookies();
    expect(cookies.map((c) => c.value).join()).not.toContain(stack.adminKey);
    expect(await page.getByRole("heading", { name: "Live version" }).isVisible()).toBe(true);
  });

  it("starts an experiment from the form; answers name their arm; metrics and chart show; promote makes the winner live", async () => {
    await page.getByLabel("Experiment id").fill("web-ab");
    const arm1 = page.getByRole("group", { name: "Arm 1" });
    const arm2 = page.getByRole("group", { name: "Arm 2" });
    await arm1.getByLabel("Version").selectOption("knn-fixture");
    await arm2.getByLabel("Version").selectOption("builtin-popularity");
    await page.getByRole("button", { name: "Start experiment" }).press("Enter");
    await expect.poll(() => page.getByRole("status").textContent()).toContain("web-ab is running");

    // traffic and feedback through the public API, as an application would send them
    const arms = new Map<string, number>();
    for (let u = 0; u < 8; u++) {
      const res = await fetch(url(`/v1/users/user-${u}/recommendations?n=5`), {
        headers: { authorization: `Bearer ${stack.clientKey}` },
      });
      const answer = RecommendResponse.parse(await res.json());
      expect(answer.arm?.experiment_id).toBe("web-ab");
      arms.set(answer.arm?.name ?? "", (arms.get(answer.arm?.name ?? "") ?? 0) + 1);
      const item = answer.items[0]?.item_id;
      if (item && u % 2 === 0)
        await edgeClient(stackEdge(stack)).ingest([
          {
            event_id: `click-${u}`,
            user_id: `user-${u}`,
            item_id: item,
            timestamp: new Date().toISOString(),
            type: "click",
            recommendation_id: answer.recommendation_id,
          },
        ]);
    }
    await page.reload();
    const table = page.getByRole("table").first();
    await expect.poll(() => table.textContent()).toContain("knn-fixture");
    expect(await page.locator("svg[role=img]").count()).toBeGreaterThan(0);
    const served = [...arms.values()].reduce((s, n) => s + n, 0);
    expect(served).toBe(8);
    await shot("overview");

    await page.getByLabel("Winner").selectOption("control");
    await page.getByRole("button", { name: "Promote" }).press("Enter");
    await expect.poll(() => page.getByRole("status").textContent()).toContain("promoted");
    expect(await page.getByRole("region", { name: "Live version" }).textContent()).toContain("knn-fixture");
  });

  it("answers the try-it box with item titles", async () => {
    await page.getByRole("link", { name: "Try it" }).click();
    await page.getByLabel("User id").fill("user-1");
    await page.getByLabel("User id").press("Enter");
    const list = page.getByRole("list").last();
    await expect.poll(() => list.locator("li").count()).toBeGreaterThan(0);
    expect(await list.textContent()).toMatch(
      /Rose hand soap|Mint shower gel|Argan hair oil|Clay face mask|Shea body butter/,
    );
    expect(await page.getByRole("heading", { level: 2 }).first().textContent()).toContain("knn-fixture");
    await shot("try-it");
  });

  it("lists versions with offline metrics and the training page, and fits a phone's width", async () => {
    await page.getByRole("link", { name: "Versions" }).click();
    expect(await page.getByRole("table").textContent()).toContain("0.1234");
    await shot("versions");
    await page.getByRole("link", { name: "Training" }).click();
    expect(await page.getByText("No training is running.").isVisible()).toBe(true);
    await shot("training");
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/dashboard", "/dashboard/try", "/dashboard/models"]) {
      await page.goto(url(path));
      const overflow = Number(
        await page.evaluate("document.documentElement.scrollWidth - window.innerWidth"),
      );
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(url("/dashboard"));
    await shot("overview-phone");
  });

  it("drives an experiment from the CLI against the same edge", async () => {
    const genrec = (args: string[]) =>
      new Promise<{ code: number; out: string; err: string }>((resolve) => {
        const env = {
          ...process.env,
          GENREC_ADMIN_KEY: stack.adminKey,
          GENREC_CLIENT_KEY: stack.clientKey,
          GENREC_HOME: home,
        };
        execFile(
          process.execPath,
          ["--import", "tsx", join(REPO_ROOT, "infra/src/cli.ts"), ...args, "--edge", stack.edgeUrl],
          { env },
          (e, out, err) => resolve({ code: typeof e?.code === "number" ? e.code : 0, out, err }),
        );
      });
    const started = await genrec([
      "experiment",
      "start",
      "cli-ab",
      "--arm",
      "a=knn-fixture:0.5",
      "--arm",
      "b=builtin-popularity:0.5",
    ]);
    expect(started.err).toBe("");
    expect(started.out).toContain("cli-ab  running");
    expect((await genrec(["experiment", "list"])).out).toMatch(/web-ab {2}promoted \(control\)/);
    expect((await genrec(["metrics", "--experiment", "web-ab"])).out).toContain(
      "web-ab/control  knn-fixture  served",
    );
    expect((await genrec(["experiment", "stop", "cli-ab"])).out).toContain("cli-ab  stopped");
    expect((await genrec(["experiment", "stop", "cli-ab"])).code).toBe(1);
  });
});
