import { join } from "node:path";
import { importSample } from "@genrec/infra/commands/data";
import { edgeClient } from "@genrec/infra/edge-client";
import { type LocalStack, REPO_ROOT, stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { removeDir, scratchDir } from "@genrec/infra/paths";
import { run } from "@genrec/infra/processes";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// DiffGRM served through the edge by the real GPU worker's denoise RPC: a tiny model trained on the
// bundled sample (CPU, ~15 s), registered as a remote version, then the worker killed mid-service.
const VERSION = "diffgrm-sample-tiny";
let stack: LocalStack;
let edge: ReturnType<typeof edgeClient>;
const dir = scratchDir("diffgrm");

beforeAll(async () => {
  await run(
    "uv",
    [
      ...["run", "--frozen", "python", "-m", "genrec.diffgrm.train", "--dataset", "sample"],
      ...["--preset", "tiny", "--sids", "random:4", "--out", join(dir, "run")],
      ...["--results-dir", join(dir, "results"), "--artifact-dir", join(dir, "artifacts", VERSION)],
      // long enough for the tiny model to decode SIDs of real items (random SIDs make most invalid)
      ...["--set", "train.epochs=8", "--set", "train.patience=8"],
      ...["--set", "decode.merge_duplicates=true", "--set", "decode.serve_beam=64"],
    ],
    { cwd: join(REPO_ROOT, "gpu-worker") },
  );
  stack = await startLocalStack({ gpuEnv: { GENREC_ARTIFACTS_DIR: join(dir, "artifacts") } });
  edge = edgeClient(stackEdge(stack));
  await importSample(edge, () => {});
});
afterAll(async () => {
  await stack?.stop();
  removeDir(dir);
});

describe("DiffGRM through the edge and the GPU worker's denoise RPC", () => {
  it("registers the worker's model after a checked call and serves it once live", async () => {
    await edge.registerRemote("dg-sample-1", { artifact_version: VERSION, deadline_ms: 20_000 });
    await edge.activate("dg-sample-1");
    const rec = await edge.recommendForUser("A1YJEY40YUW4SE", 10);
    expect(rec).toMatchObject({ model: "diffgrm", model_version: "dg-sample-1" });
    expect(rec.fallback).toBeUndefined();
    expect(rec.items.length).toBeGreaterThan(0);
    const seen = new Set(["B004756YJA", "B004ZT0SSG", "B0020YLEYK", "7806397051"]);
    expect(rec.items.some((i) => seen.has(i.item_id))).toBe(false);
    const scores = rec.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("refuses an artifact the worker does not have, with 422", async () => {
    const refused = await edge
      .registerRemote("dg-missing", { artifact_version: "no-such-model" })
      .catch((e) => e);
    expect(refused).toMatchObject({ status: 422, code: "invalid_artifact" });
  });

  it("falls back to popularity while the worker is down, and serves DiffGRM again once it is back", async () => {
    await stack.killGpu();
    const down = await edge.recommendForSession(["B004756YJA"], 5);
    expect(down).toMatchObject({
      model: "popularity",
      fallback: { from_version: "dg-sample-1", reason: "upstream_unavailable" },
    });
    expect(down.items).toHaveLength(5);
    await stack.restartGpu();
    expect((await edge.recommendForSession(["B004756YJA"], 5)).model).toBe("diffgrm");
  });
});
