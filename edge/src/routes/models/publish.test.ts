import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { artifactFiles, manifestFor, publish, upload } from "../../../test/artifact-set.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { artifactKey } from "../../recommend/sets/files.ts";
import { SWEEP_AGE_MS, sweepR2 } from "../../storage/sweep.ts";

describe("publishing an RPG artifact set", () => {
  it("refuses a set whose file does not match its checksum, and registers nothing", async () => {
    const app = createApp();
    const files = artifactFiles();
    const manifest = await manifestFor("rpg-bad-1", files);
    const sids = files["sids.u8"] as Uint8Array;
    sids[5] = (sids[5] as number) ^ 1; // corrupted after the manifest was written
    await upload(app, "rpg-bad-1", files);
    const res = await call(app, "POST", "/v1/models/rpg-bad-1", { body: manifest });
    const body = await expectError(res, 422, "invalid_artifact");
    expect(body.error.message).toContain("sids.u8");
    expect((await call(app, "GET", "/v1/models", { key: CLIENT }).then((r) => r.json())) as unknown).toEqual({
      models: [],
    });
  });

  it("keeps the live version when a set broke after registration", async () => {
    const app = createApp();
    await publish(app, "rpg-good-1");
    await call(app, "POST", "/v1/models/rpg-good-1/activate");
    await publish(app, "rpg-good-2");
    await env.ARTIFACTS.put(artifactKey("rpg-good-2", "model.onnx"), new Uint8Array([1, 2, 3]));
    const res = await createApp().request(
      "/v1/models/rpg-good-2/activate",
      { method: "POST", headers: { authorization: "Bearer test-admin-key" } },
      env,
    );
    expect((await expectError(res, 422, "invalid_artifact")).error.message).toContain("model.onnx");
    const live = await env.DB.prepare("SELECT version FROM model_versions WHERE live = 1").first<{
      version: string;
    }>();
    expect(live?.version).toBe("rpg-good-1");
  });

  it("treats registered versions as immutable and rejects unknown file names", async () => {
    const app = createApp();
    await publish(app, "rpg-fixed-1");
    await expectError(
      await call(app, "POST", "/v1/models/rpg-fixed-1", {
        body: await manifestFor("rpg-fixed-1", artifactFiles()),
      }),
      409,
      "conflict",
    );
    const put = (name: string) =>
      app.request(
        `/v1/models/rpg-fixed-2/files/${name}`,
        { method: "PUT", body: "x", headers: { authorization: "Bearer test-admin-key" } },
        env,
      );
    await expectError(await put("evil.sh"), 400, "invalid_request");
    await expectError(
      await app.request(
        "/v1/models/rpg-fixed-1/files/sids.u8",
        { method: "PUT", body: "x", headers: { authorization: "Bearer test-admin-key" } },
        env,
      ),
      409,
      "conflict",
    );
  });
});

describe("publishing under races and with leftovers", () => {
  it("answers racing registrations with one 200 and 409s, and keeps the winner's manifest intact", async () => {
    const app = createApp();
    const files = artifactFiles();
    await upload(app, "rpg-race-1", files);
    const base = await manifestFor("rpg-race-1", files);
    const manifests = Array.from({ length: 4 }, (_, i) => ({ ...base, metrics: { "recall@10": i } }));
    const answers = await Promise.all(
      manifests.map((body) => call(app, "POST", "/v1/models/rpg-race-1", { body })),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const row = await env.DB.prepare(
      "SELECT manifest FROM model_versions WHERE version = 'rpg-race-1'",
    ).first<{
      manifest: string;
    }>();
    const stored = await env.ARTIFACTS.get(artifactKey("rpg-race-1", "manifest.json"));
    expect(await stored?.text()).toBe(row?.manifest);
    expect((await call(app, "POST", "/v1/models/rpg-race-1/activate")).status).toBe(200);
  });

  it("sweeps uploads of versions never registered and snapshots no training holds, once a day old", async () => {
    const app = createApp();
    await publish(app, "rpg-kept-1");
    await upload(app, "rpg-orphan-1", { "items.json": new Uint8Array([1]) });
    await env.ARTIFACTS.put("snapshots/0123abcd-old/events.jsonl", "x");
    const soon = await sweepR2(env.DB, env.ARTIFACTS, Date.now());
    expect(soon).toEqual({ uploads: 0, snapshots: 0 }); // younger than a day: kept
    const later = await sweepR2(env.DB, env.ARTIFACTS, Date.now() + SWEEP_AGE_MS + 1000);
    expect(later).toEqual({ uploads: 1, snapshots: 1 });
    const left = (await env.ARTIFACTS.list()).objects.map((o) => o.key);
    expect(left.every((key) => key.startsWith("models/rpg-kept-1/"))).toBe(true);
    expect(left).toContain(artifactKey("rpg-kept-1", "manifest.json"));
  });
});
