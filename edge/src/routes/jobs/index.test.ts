import { env } from "cloudflare:test";
import { Job } from "@genrec/shared";
import { delay, HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { useNetwork } from "../../../test/network.ts";
import { createApp } from "../../app.ts";

// The GPU worker is the unreachable edge here (Modal in production): msw answers for it.
const network = useNetwork();
const GPU = "https://gpu.example.test";
const job = {
  job_id: "job-1",
  model: "sasrec",
  state: "queued",
  phase: "queued",
  progress: 0,
  created_at: "2026-11-24T10:00:00Z",
  updated_at: "2026-11-24T10:00:00Z",
  logs: [],
};
const trainBody = { model: "sasrec", dataset: { kind: "builtin", name: "sample" }, preset: "tiny" };

describe("training through the GPU RPC", () => {
  it("starts a job with the worker's token and the validated request", async () => {
    let seen: { auth: string | null; body: unknown } | undefined;
    network.use(
      http.post(`${GPU}/rpc/train`, async ({ request }) => {
        seen = { auth: request.headers.get("authorization"), body: await request.json() };
        return HttpResponse.json(job);
      }),
    );
    const res = await call(createApp(), "POST", "/v1/train", { body: trainBody });
    expect(res.status).toBe(200);
    expect(Job.parse(await res.json()).job_id).toBe("job-1");
    expect(seen).toEqual({ auth: "Bearer test-gpu-token", body: trainBody });
  });

  it("needs an admin key", async () => {
    await expectError(
      await call(createApp(), "POST", "/v1/train", { key: CLIENT, body: trainBody }),
      403,
      "forbidden",
    );
  });

  it("reports job status and passes the worker's 404 through", async () => {
    network.use(
      http.post(`${GPU}/rpc/job_status`, async ({ request }) => {
        const { job_id } = (await request.json()) as { job_id: string };
        return job_id === "job-1"
          ? HttpResponse.json({ ...job, state: "running", progress: 0.4 })
          : HttpResponse.json(
              { error: { code: "not_found", message: `no job ${job_id}`, issues: [] }, request_id: "r" },
              { status: 404 },
            );
      }),
    );
    const app = createApp();
    expect(Job.parse(await (await call(app, "GET", "/v1/jobs/job-1")).json()).progress).toBe(0.4);
    await expectError(await call(app, "GET", "/v1/jobs/job-2"), 404, "not_found");
  });

  it("answers 502 when the worker is down and 504 when it is slow", async () => {
    network.use(http.post(`${GPU}/rpc/train`, () => new HttpResponse("boom", { status: 500 })));
    await expectError(
      await call(createApp(), "POST", "/v1/train", { body: trainBody }),
      502,
      "upstream_unavailable",
    );
    network.use(
      http.post(`${GPU}/rpc/cancel_job`, async () => {
        await delay(1000);
        return HttpResponse.json(job);
      }),
    );
    const app = createApp({ rpcTimeoutMs: 30 });
    await expectError(await call(app, "POST", "/v1/jobs/job-1/cancel"), 504, "upstream_timeout");
  });

  it("rejects a reply outside the contract with 502", async () => {
    network.use(
      http.post(`${GPU}/rpc/job_status`, () => HttpResponse.json({ job_id: "job-1", state: "done" })),
    );
    await expectError(await call(createApp(), "GET", "/v1/jobs/job-1"), 502, "upstream_invalid");
  });
});

describe("training from the edge's own data", () => {
  it("snapshots stored items and events to R2 and hands the worker a URI it can fetch", async () => {
    const app = createApp();
    await call(app, "POST", "/v1/items/batch", {
      body: { items: [{ id: "A", title: "alpha", categories: ["x"] }, { id: "B" }] },
    });
    await call(app, "POST", "/v1/events", {
      body: {
        events: [
          { event_id: "e1", user_id: "u1", item_id: "A", timestamp: "2026-11-24T10:00:00Z" },
          {
            event_id: "e2",
            user_id: "u1",
            item_id: "B",
            timestamp: "2026-11-24T10:05:00+01:00",
            type: "purchase",
          },
        ],
      },
    });
    let sent: { dataset: { kind: string; uri: string } } | undefined;
    network.use(
      http.post(`${GPU}/rpc/train`, async ({ request }) => {
        sent = (await request.json()) as typeof sent;
        return HttpResponse.json(job);
      }),
    );
    const res = await call(app, "POST", "https://edge.example.test/v1/train", {
      body: { model: "rpg", preset: "tiny" },
    });
    expect(res.status).toBe(200);
    expect(sent?.dataset.kind).toBe("snapshot");
    const uri = new URL(sent?.dataset.uri as string);
    expect(uri.origin).toBe("https://edge.example.test");

    const items = await call(app, "GET", `${uri.pathname}/items.jsonl`);
    expect(items.headers.get("content-type")).toBe("application/x-ndjson");
    expect(
      (await items.text())
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([{ id: "A", title: "alpha", categories: ["x"] }, { id: "B" }]);
    const events = (await (await call(app, "GET", `${uri.pathname}/events.jsonl`)).text()).trim().split("\n");
    expect(events.map((l) => JSON.parse(l))).toEqual([
      { event_id: "e1", user_id: "u1", item_id: "A", timestamp: "2026-11-24T10:00:00.000Z", type: "view" },
      {
        event_id: "e2",
        user_id: "u1",
        item_id: "B",
        timestamp: "2026-11-24T09:05:00.000Z",
        type: "purchase",
      },
    ]);
    await expectError(
      await call(app, "GET", `${uri.pathname}/events.jsonl`, { key: CLIENT }),
      403,
      "forbidden",
    );
  });

  it("refuses to train on an empty store", async () => {
    await expectError(
      await call(createApp(), "POST", "/v1/train", { body: { model: "rpg" } }),
      409,
      "conflict",
    );
  });
});

describe("one training per dataset", () => {
  /** A worker that starts job-<n> for every train call and reports `state` for every job. */
  function worker(state: { value: string }, started: string[] = []) {
    return [
      http.post(`${GPU}/rpc/train`, () => {
        started.push(`job-${started.length + 1}`);
        return HttpResponse.json({ ...job, job_id: started.at(-1) });
      }),
      http.post(`${GPU}/rpc/job_status`, async ({ request }) => {
        const { job_id } = (await request.json()) as { job_id: string };
        return HttpResponse.json({ ...job, job_id, state: state.value });
      }),
    ];
  }

  it("answers 409 naming the running job, and starts again once it finished", async () => {
    const state = { value: "running" };
    network.use(...worker(state));
    const app = createApp();
    expect((await call(app, "POST", "/v1/train", { body: trainBody })).status).toBe(200);
    const busy = await expectError(
      await call(app, "POST", "/v1/train", { body: trainBody }),
      409,
      "conflict",
    );
    expect(busy.error.message).toContain("job-1");
    const other = { ...trainBody, dataset: { kind: "builtin", name: "beauty" } };
    expect((await call(app, "POST", "/v1/train", { body: other })).status).toBe(200);
    state.value = "succeeded";
    const again = await call(app, "POST", "/v1/train", { body: trainBody });
    expect(Job.parse(await again.json()).job_id).toBe("job-3");
  });

  it("lets exactly one of concurrent starts through", async () => {
    const started: string[] = [];
    network.use(...worker({ value: "running" }, started));
    const app = createApp();
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => call(app, "POST", "/v1/train", { body: trainBody })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    expect(started).toEqual(["job-1"]);
  });

  it("removes the snapshot and frees the dataset when the worker call fails", async () => {
    const app = createApp();
    await call(app, "POST", "/v1/events", {
      body: { events: [{ event_id: "e1", user_id: "u1", item_id: "A", timestamp: "2026-11-24T10:00:00Z" }] },
    });
    network.use(http.post(`${GPU}/rpc/train`, () => new HttpResponse("boom", { status: 500 })));
    const rpg = { model: "rpg", preset: "tiny" };
    await expectError(await call(app, "POST", "/v1/train", { body: rpg }), 502, "upstream_unavailable");
    expect((await env.ARTIFACTS.list({ prefix: "snapshots/" })).objects).toEqual([]);
    network.use(http.post(`${GPU}/rpc/train`, () => HttpResponse.json(job)));
    expect((await call(app, "POST", "/v1/train", { body: rpg })).status).toBe(200);
    expect((await env.ARTIFACTS.list({ prefix: "snapshots/" })).objects).toHaveLength(2);
  });

  it("reports the worker refusing the edge's token as 502, not as the caller's fault", async () => {
    const refused = {
      error: { code: "forbidden", message: "invalid bearer token", issues: [] },
      request_id: "r",
    };
    network.use(http.post(`${GPU}/rpc/train`, () => HttpResponse.json(refused, { status: 403 })));
    const body = await expectError(
      await call(createApp(), "POST", "/v1/train", { body: trainBody }),
      502,
      "upstream_unavailable",
    );
    expect(body.error.message).toContain("GPU_WORKER_TOKEN");
  });
});
