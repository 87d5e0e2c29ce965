import { env } from "cloudflare:test";
import { ModelVersion, RecommendResponse } from "@genrec/shared";
import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { addCatalogue, publish } from "../../../test/artifact-set.ts";
import { type App, CLIENT, call, event, expectError, snapshot } from "../../../test/helpers.ts";
import { useNetwork } from "../../../test/network.ts";
import { createApp } from "../../app.ts";
import { readSettings } from "../../settings.ts";
import { getModelVersion } from "../../storage/models.ts";

// The GPU worker is the unreachable edge here (Modal in production): msw answers for it. The real
// local worker serving a trained DiffGRM is covered end to end in test/e2e/diffgrm.test.ts.
const network = useNetwork();
const GPU = "https://gpu.example.test";

const manifest = (version: string, extra: Record<string, unknown> = {}) => ({
  format: 1,
  version,
  model: "diffgrm",
  artifact_version: "diffgrm-beauty-quick",
  deadline_ms: 200,
  ...extra,
});

interface Denoise {
  artifact_version: string;
  histories: string[][];
  k: number;
  beam?: number;
}

/** The worker's 404 envelope. */
const notFound = (message: string) =>
  HttpResponse.json({ error: { code: "not_found", message, issues: [] }, request_id: "r" }, { status: 404 });

/** A worker that answers every history with P1..Pk (score falling), recording each request. */
function worker(seen: Denoise[] = [], { wait = 0 } = {}) {
  return http.post(`${GPU}/rpc/denoise`, async ({ request }) => {
    const body = (await request.json()) as Denoise;
    seen.push(body);
    if (wait) await delay(wait);
    const items = Array.from({ length: body.k }, (_, i) => ({ item_id: `P${i + 1}`, score: -i }));
    return HttpResponse.json({
      artifact_version: body.artifact_version,
      results: body.histories.map(() => ({ items, invalid: 0 })),
    });
  });
}

/** Events that make P9 the most popular item, then P8, ... (popularity fallback is predictable). */
async function seedEvents(app: App) {
  const events = [];
  for (let i = 1; i <= 9; i++) {
    for (let j = 0; j < i; j++) events.push(event(`e${i}-${j}`, `u${j}`, `P${i}`, "2026-11-24T10:00:00Z"));
  }
  expect((await call(app, "POST", "/v1/events", { body: { events } })).status).toBe(200);
}

async function registerLive(app: App, version: string, extra: Record<string, unknown> = {}) {
  const res = await call(app, "POST", `/v1/models/${version}/remote`, { body: manifest(version, extra) });
  expect(res.status).toBe(200);
  expect((await call(app, "POST", `/v1/models/${version}/activate`)).status).toBe(200);
}

const session = (app: App, body: Record<string, unknown>) =>
  call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { n: 3, ...body } });

describe("registering a GPU-served DiffGRM version", () => {
  it("checks it with one denoise call on the most popular items, then registers it (not live)", async () => {
    const app = createApp();
    await seedEvents(app);
    const seen: Denoise[] = [];
    network.use(worker(seen));
    const res = await call(app, "POST", "/v1/models/dg-1/remote", { body: manifest("dg-1", { beam: 64 }) });
    expect(res.status).toBe(200);
    expect(ModelVersion.parse(await res.json())).toMatchObject({
      version: "dg-1",
      model: "diffgrm",
      live: false,
    });
    expect(seen).toEqual([
      {
        artifact_version: "diffgrm-beauty-quick",
        histories: [["P9", "P8", "P7", "P6", "P5"]],
        k: 1,
        beam: 64,
      },
    ]);
  });

  it("refuses a version the worker cannot serve, an unknown fallback, and an empty catalogue, storing nothing", async () => {
    const app = createApp();
    const before = await snapshot(env.DB);
    await expectError(
      await call(app, "POST", "/v1/models/dg-0/remote", { body: manifest("dg-0") }),
      422,
      "invalid_artifact",
    );
    await seedEvents(app);
    const seeded = await snapshot(env.DB);
    expect(seeded.model_versions).toEqual(before.model_versions);
    network.use(http.post(`${GPU}/rpc/denoise`, () => notFound("no DiffGRM artifact 'x'")));
    const missing = await expectError(
      await call(app, "POST", "/v1/models/dg-1/remote", { body: manifest("dg-1") }),
      422,
      "invalid_artifact",
    );
    expect(missing.error.message).toContain("no DiffGRM artifact");
    const fallback = await expectError(
      await call(app, "POST", "/v1/models/dg-2/remote", {
        body: manifest("dg-2", { fallback_version: "nope" }),
      }),
      422,
      "invalid_artifact",
    );
    expect(fallback.error.issues[0]?.path).toEqual(["json", "fallback_version"]);
    await expectError(
      await call(app, "POST", "/v1/models/dg-3/remote", { body: manifest("dg-4") }),
      400,
      "invalid_request",
    );
    expect(await snapshot(env.DB)).toEqual(seeded);
  });

  it("answers 502 / 504 when the worker is down or slow at registration", async () => {
    const app = createApp();
    await seedEvents(app);
    network.use(http.post(`${GPU}/rpc/denoise`, () => new HttpResponse("boom", { status: 500 })));
    await expectError(
      await call(app, "POST", "/v1/models/dg-1/remote", { body: manifest("dg-1") }),
      502,
      "upstream_unavailable",
    );
  });

  it("checks with its own probe deadline, not the version's serving deadline (a cold worker registers)", async () => {
    const app = createApp({ registerProbeMs: 2000 });
    await seedEvents(app);
    // Slower than deadline_ms (200) but within the probe deadline: the model loading on a first call.
    network.use(worker([], { wait: 350 }));
    const res = await call(app, "POST", "/v1/models/dg-cold/remote", { body: manifest("dg-cold") });
    expect(res.status).toBe(200);
    expect((await call(app, "POST", "/v1/models/dg-cold/activate")).status).toBe(200);
    // Slower than the probe deadline: 504, naming it, and nothing registered.
    const seen: Denoise[] = [];
    network.use(worker(seen, { wait: 3000 }));
    const start = Date.now();
    const slow = await expectError(
      await call(app, "POST", "/v1/models/dg-hung/remote", { body: manifest("dg-hung") }),
      504,
      "upstream_timeout",
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual(1950);
    expect(seen).toHaveLength(1); // one call, no retry
    expect(slow.error.message).toContain("probe deadline of 2000 ms (REGISTER_PROBE_MS");
    expect(slow.error.message).toContain("deadline_ms, 200 ms");
    expect(await getModelVersion(env.DB, "dg-hung")).toBeNull();
    // Activation checks with the probe deadline too.
    const activating = await expectError(
      await call(app, "POST", "/v1/models/dg-cold/activate"),
      504,
      "upstream_timeout",
    );
    expect(activating.error.message).toContain("probe deadline of 2000 ms");
  });

  it("never probes within less than the version's own deadline", async () => {
    const app = createApp({ registerProbeMs: 100 });
    await seedEvents(app);
    network.use(worker([], { wait: 250 }));
    const res = await call(app, "POST", "/v1/models/dg-1/remote", {
      body: manifest("dg-1", { deadline_ms: 500 }),
    });
    expect(res.status).toBe(200);
  });
});

describe("registering a GPU-served DiffGRM version that names a SID artifact (cold start)", () => {
  /** A worker whose version decodes SIDs of `decodes` codes and whose SID artifact `dg-sids` gives `encodes`. */
  const workerOf = (decodes: number, encodes: number, assigned: string[] = []) => [
    http.post(`${GPU}/rpc/denoise`, async ({ request }) => {
      const body = (await request.json()) as Denoise;
      const items = [{ item_id: "P1", score: 0 }];
      return HttpResponse.json({
        artifact_version: body.artifact_version,
        digits: decodes,
        results: [{ items, invalid: 0 }],
      });
    }),
    http.post(`${GPU}/rpc/assign_sids`, async ({ request }) => {
      const body = (await request.json()) as { artifact_version: string; items: { id: string }[] };
      assigned.push(body.artifact_version);
      if (body.artifact_version !== "dg-sids") return notFound(`no SID artifact '${body.artifact_version}'`);
      const sids = body.items.map((item) => ({ item_id: item.id, codes: Array(encodes).fill(3) }));
      return HttpResponse.json({ artifact_version: body.artifact_version, digits: encodes, sids });
    }),
  ];

  it("checks the artifact encodes SIDs as long as the version decodes, then registers it", async () => {
    const app = createApp();
    await seedEvents(app);
    const assigned: string[] = [];
    network.use(...workerOf(4, 4, assigned));
    const res = await call(app, "POST", "/v1/models/dg-1/remote", {
      body: manifest("dg-1", { sid_artifact: "dg-sids" }),
    });
    expect(res.status).toBe(200);
    expect(assigned).toEqual(["dg-sids"]);
  });

  it("refuses a collision-digit version with a 4-digit artifact, and an artifact the worker lacks, on the field", async () => {
    const app = createApp();
    await seedEvents(app);
    const before = await snapshot(env.DB);
    network.use(...workerOf(5, 4));
    const longer = await expectError(
      await call(app, "POST", "/v1/models/dg-1/remote", {
        body: manifest("dg-1", { sid_artifact: "dg-sids" }),
      }),
      422,
      "invalid_artifact",
    );
    expect(longer.error.issues[0]?.path).toEqual(["json", "sid_artifact"]);
    expect(longer.error.message).toContain(
      "encodes items to 4 codes, but 'diffgrm-beauty-quick' decodes SIDs of 5",
    );
    const missing = await expectError(
      await call(app, "POST", "/v1/models/dg-2/remote", {
        body: manifest("dg-2", { sid_artifact: "dg-nope" }),
      }),
      422,
      "invalid_artifact",
    );
    expect(missing.error.issues[0]?.path).toEqual(["json", "sid_artifact"]);
    expect(missing.error.message).toContain("no SID artifact 'dg-nope'");
    expect(await snapshot(env.DB)).toEqual(before);
  });

  it("checks the artifact again when the version goes live", async () => {
    const app = createApp();
    await seedEvents(app);
    network.use(...workerOf(4, 4));
    const body = manifest("dg-1", { sid_artifact: "dg-sids" });
    expect((await call(app, "POST", "/v1/models/dg-1/remote", { body })).status).toBe(200);
    network.use(...workerOf(4, 5)); // the artifact was replaced on the worker since
    const res = await call(app, "POST", "/v1/models/dg-1/activate");
    const refused = await expectError(res, 422, "invalid_artifact");
    expect(refused.error.issues[0]?.path).toEqual(["json", "sid_artifact"]);
    expect((await getModelVersion(env.DB, "dg-1"))?.live).toBeFalsy();
  });
});

describe("registering a GPU-served DiffGRM version, under stress", () => {
  it("answers racing registrations of one version with one 200 and 409s, never 500", async () => {
    const app = createApp();
    await seedEvents(app);
    network.use(worker());
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call(app, "POST", "/v1/models/dg-race/remote", { body: manifest("dg-race", { beam: i + 1 }) }),
      ),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.status === 409)) await expectError(r, 409, "conflict");
    const rows = await env.DB.prepare("SELECT version FROM model_versions").all();
    expect(rows.results).toEqual([{ version: "dg-race" }]);
  });

  it("reports the worker refusing the edge's token as 502 at registration, not 422", async () => {
    const app = createApp();
    await seedEvents(app);
    const refused = {
      error: { code: "forbidden", message: "invalid bearer token", issues: [] },
      request_id: "r",
    };
    network.use(http.post(`${GPU}/rpc/denoise`, () => HttpResponse.json(refused, { status: 403 })));
    await expectError(
      await call(app, "POST", "/v1/models/dg-1/remote", { body: manifest("dg-1") }),
      502,
      "upstream_unavailable",
    );
  });
});

describe("serving a GPU-served DiffGRM version", () => {
  it("answers from the worker, seen items dropped after decoding", async () => {
    const app = createApp();
    await seedEvents(app);
    const seen: Denoise[] = [];
    network.use(worker(seen));
    await registerLive(app, "dg-1");
    const history = [...Array.from({ length: 199 }, (_, i) => `H${i}`), "P1"];
    const res = await session(app, { history });
    const body = RecommendResponse.parse(await res.json());
    expect(body).toMatchObject({ model: "diffgrm", model_version: "dg-1" });
    expect(body.fallback).toBeUndefined();
    expect(body.items.map((i) => i.item_id)).toEqual(["P2", "P3", "P4"]); // P1 was seen
    const request = seen.at(-1) as Denoise;
    expect(request.histories[0]).toHaveLength(200);
    expect(request.histories[0]?.at(-1)).toBe("P1");
    expect(request.k).toBe(100); // n + seen items, capped by the RPC
  });

  it("reads as much of a stored user's history as the RPC takes, not popularity's 50 items", async () => {
    const app = createApp();
    await seedEvents(app);
    const seen: Denoise[] = [];
    network.use(worker(seen));
    await registerLive(app, "dg-1");
    const minute = (i: number) => `2026-11-24T1${Math.floor(i / 60)}:${String(i % 60).padStart(2, "0")}:00Z`;
    const events = Array.from({ length: 120 }, (_, i) => event(`h${i}`, "long", `H${i}`, minute(i)));
    expect((await call(app, "POST", "/v1/events", { body: { events } })).status).toBe(200);
    const res = await call(app, "GET", "/v1/users/long/recommendations?n=3&exclude_seen=false", {
      key: CLIENT,
    });
    expect(res.status).toBe(200);
    expect(seen.at(-1)?.histories[0]).toEqual(events.map((e) => e.item_id));
  });

  it("falls back to popularity when the worker misses the deadline or fails, and says so", async () => {
    const app = createApp();
    await seedEvents(app);
    network.use(worker());
    await registerLive(app, "dg-1");
    network.use(worker([], { wait: 1000 }));
    const slow = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(slow).toMatchObject({
      model: "popularity",
      fallback: { from_version: "dg-1", reason: "upstream_timeout" },
    });
    expect(slow.items.map((i) => i.item_id)).toEqual(["P8", "P7", "P6"]);
    network.use(http.post(`${GPU}/rpc/denoise`, () => HttpResponse.error()));
    const down = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(down.fallback?.reason).toBe("upstream_unavailable");
    network.use(http.post(`${GPU}/rpc/denoise`, () => HttpResponse.json({ results: "nonsense" })));
    const bad = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(bad.fallback?.reason).toBe("upstream_invalid");
  });

  it("falls back to its RPG fallback version; users without history get popularity", async () => {
    const app = createApp();
    await seedEvents(app);
    await addCatalogue(app);
    expect((await publish(app, "rpg-fb-1")).status).toBe(200);
    network.use(worker());
    await registerLive(app, "dg-1", { fallback_version: "rpg-fb-1" });
    network.use(http.post(`${GPU}/rpc/denoise`, () => new HttpResponse("boom", { status: 503 })));
    const res = RecommendResponse.parse(await (await session(app, { history: ["SKU-3"] })).json());
    expect(res).toMatchObject({
      model: "rpg",
      model_version: "rpg-fb-1",
      fallback: { from_version: "dg-1", reason: "upstream_unavailable" },
    });
    expect(res.items).toHaveLength(3);
    const cold = await call(app, "GET", "/v1/users/nobody/recommendations?n=2", { key: CLIENT });
    expect(RecommendResponse.parse(await cold.json())).toMatchObject({
      model: "popularity",
      fallback: { from_version: "dg-1", reason: "unknown_user" },
    });
  });

  it("opens the circuit after repeated timeouts: the fallback answers at once, and a later probe closes it", async () => {
    const app = createApp({ breakerThreshold: 2, breakerCooldownMs: 400 });
    await seedEvents(app);
    network.use(worker());
    await registerLive(app, "dg-1");
    const seen: Denoise[] = [];
    network.use(worker(seen, { wait: 1000 }));
    for (let i = 0; i < 2; i++) {
      const slow = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
      expect(slow.fallback?.reason).toBe("upstream_timeout");
    }
    const open = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(open).toMatchObject({
      model: "popularity",
      fallback: { from_version: "dg-1", reason: "circuit_open" },
    });
    expect(seen).toHaveLength(2); // the worker was not called, so no deadline was waited for
    await delay(450);
    network.use(worker(seen));
    const probe = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(probe).toMatchObject({ model: "diffgrm", model_version: "dg-1" });
    expect(seen).toHaveLength(3);
  });

  it("takes the breaker's threshold and cooldown from the Worker's vars", async () => {
    const app = createApp(readSettings({ BREAKER_THRESHOLD: "1", BREAKER_COOLDOWN_MS: "300" }));
    await seedEvents(app);
    network.use(worker());
    await registerLive(app, "dg-1");
    const seen: Denoise[] = [];
    network.use(worker(seen, { wait: 1000 }));
    const slow = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(slow.fallback?.reason).toBe("upstream_timeout");
    const open = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(open.fallback?.reason).toBe("circuit_open"); // one timeout opened it
    await delay(350);
    network.use(worker(seen));
    const probe = RecommendResponse.parse(await (await session(app, { history: ["P9"] })).json());
    expect(probe.model).toBe("diffgrm");
    expect(seen).toHaveLength(2);
  });
});
