import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { artifactFiles, manifestFor, publish, upload } from "../../../test/artifact-set.ts";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { artifactKey } from "../../recommend/rpg/artifacts.ts";

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
