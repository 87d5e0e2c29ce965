import { env } from "cloudflare:test";
import { ModelList, ModelVersion, RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { insertModelVersion } from "../../storage/models.ts";

describe("model versions", () => {
  it("lists, activates and rolls back", async () => {
    const app = createApp();
    await insertModelVersion(env.DB, { version: "pop-1", model: "popularity", manifest: "{}" }, 1000);
    await insertModelVersion(env.DB, { version: "pop-2", model: "popularity", manifest: "{}" }, 2000);
    await expectError(await call(app, "POST", "/v1/models/rollback"), 409, "conflict");
    await expectError(await call(app, "POST", "/v1/models/pop-9/activate"), 404, "not_found");

    expect(ModelVersion.parse(await (await call(app, "POST", "/v1/models/pop-1/activate")).json()).live).toBe(
      true,
    );
    await call(app, "POST", "/v1/models/pop-2/activate");
    const list = ModelList.parse(await (await call(app, "GET", "/v1/models", { key: CLIENT })).json());
    expect(list.models.map((m) => [m.version, m.live])).toEqual([
      ["pop-2", true],
      ["pop-1", false],
    ]);
    const rec = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body: { history: ["x"] } });
    expect(RecommendResponse.parse(await rec.json()).model_version).toBe("pop-2");

    const back = ModelVersion.parse(await (await call(app, "POST", "/v1/models/rollback")).json());
    expect(back).toMatchObject({ version: "pop-1", live: true });
  });
});
