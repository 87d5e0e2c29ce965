import { importSample } from "@genrec/infra/commands/data";
import { waitForJob } from "@genrec/infra/commands/train";
import { EdgeError, edgeClient } from "@genrec/infra/edge-client";
import { type LocalStack, stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The quick start's loop through real processes: wrangler dev (workerd, local D1/R2) and the Python
// GPU worker; training runs on this machine's CPU with the tiny preset.
let stack: LocalStack;
let edge: ReturnType<typeof edgeClient>;
const quiet = () => {};

beforeAll(async () => {
  stack = await startLocalStack();
  edge = edgeClient(stackEdge(stack));
  await importSample(edge, quiet);
});
afterAll(async () => {
  await stack?.stop();
});

describe("train through the API and serve the new version", () => {
  let first: string;

  it("trains a tiny RPG model from the edge's own data, publishes it, and serves it once activated", async () => {
    expect((await edge.recommendForUser("A1YJEY40YUW4SE", 5)).model).toBe("popularity");
    const job = await edge.train({ model: "rpg", preset: "tiny" });
    expect(job.state).toMatch(/queued|running/);
    const done = await waitForJob(edge, job.job_id, quiet, { pollMs: 500, timeoutMs: 170_000 });
    expect(done.error).toBeUndefined();
    expect(done.state).toBe("succeeded");
    first = done.artifact_version as string;
    expect(first).toMatch(/^rpg-/);

    await edge.activate(first);
    const rec = await edge.recommendForUser("A1YJEY40YUW4SE", 10);
    expect(rec).toMatchObject({ model: "rpg", model_version: first });
    expect(rec.items).toHaveLength(10);
    const seen = new Set(["B004756YJA", "B004ZT0SSG", "B0020YLEYK", "7806397051"]);
    expect(rec.items.some((i) => seen.has(i.item_id))).toBe(false);
  });

  it("keeps serving the live version when the GPU worker dies mid-training, and marks the job failed", async () => {
    const job = await edge.train({ model: "rpg", preset: "tiny" });
    // Wait until the job is really working, then crash the worker (and its job) with SIGKILL.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const now = await edge.job(job.job_id);
      if (now.state === "running") break;
      if (Date.now() > deadline || now.state !== "queued") throw new Error(`job never ran: ${now.state}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await stack.killGpu();

    const during = await edge.recommendForSession(["B004756YJA"], 5);
    expect(during.model_version).toBe(first);
    const unreachable = await edge.job(job.job_id).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(EdgeError);
    expect((unreachable as EdgeError).code).toBe("upstream_unavailable");

    await stack.restartGpu();
    const after = await edge.job(job.job_id);
    expect(after.state).toBe("failed");
    expect(after.error).toBeTruthy();
    const models = await edge.models();
    expect(models.models.find((m) => m.live)?.version).toBe(first);
    expect((await edge.recommendForUser("A1YJEY40YUW4SE", 3)).model_version).toBe(first);
  });

  it("trains, publishes and serves a tiny SASRec the same way (its ONNX user side in workerd)", async () => {
    const job = await edge.train({ model: "sasrec", preset: "tiny" });
    const done = await waitForJob(edge, job.job_id, quiet, { pollMs: 500, timeoutMs: 170_000 });
    expect(done.error).toBeUndefined();
    const version = done.artifact_version as string;
    expect(version).toMatch(/^sasrec-/);
    await edge.activate(version);
    const rec = await edge.recommendForUser("A1YJEY40YUW4SE", 10);
    expect(rec).toMatchObject({ model: "sasrec", model_version: version });
    expect(rec.items).toHaveLength(10);
    const seen = new Set(["B004756YJA", "B004ZT0SSG", "B0020YLEYK", "7806397051"]);
    expect(rec.items.some((i) => seen.has(i.item_id))).toBe(false);
  });
});
