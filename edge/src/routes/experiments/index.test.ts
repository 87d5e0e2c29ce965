import { env } from "cloudflare:test";
import { Experiment, ExperimentList, ModelList, RecommendResponse } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { ADMIN, type App, CLIENT, call, expectError } from "../../../test/helpers.ts";
import { createApp } from "../../app.ts";
import { activateModelVersion, insertModelVersion } from "../../storage/models.ts";

async function publish(...versions: string[]) {
  for (const [i, version] of versions.entries())
    await insertModelVersion(env.DB, { version, model: "popularity", manifest: "{}" }, 1000 + i);
}

const arms = (a = "pop-1", b = "pop-2") => [
  { name: "control", version: a, share: 0.5 },
  { name: "treatment", version: b, share: 0.5 },
];

const startExp = (app: App, id: string, body = arms()) =>
  call(app, "POST", "/v1/experiments", { body: { id, arms: body } });

async function forUser(app: App, user: string) {
  const res = await call(app, "GET", `/v1/users/${user}/recommendations?n=3`, { key: CLIENT });
  expect(res.status).toBe(200);
  return RecommendResponse.parse(await res.json());
}

describe("experiments: start, assignment, stop, promote", () => {
  it("refuses bad arms with the field named, unknown versions with 404, a second run with 409", async () => {
    const app = createApp();
    await publish("pop-1", "pop-2");
    const sum = await expectError(
      await startExp(app, "e1", [{ name: "a", version: "pop-1", share: 0.7 }, ...arms().slice(1)]),
      400,
      "invalid_request",
    );
    expect(sum.error.issues[0]?.path).toEqual(["json", "arms"]);
    const twice = await expectError(
      await startExp(app, "e1", arms("pop-1", "pop-1")),
      400,
      "invalid_request",
    );
    expect(twice.error.issues[0]?.path).toEqual(["json", "arms", 1, "version"]);
    const unknown = await expectError(await startExp(app, "e1", arms("pop-1", "pop-9")), 404, "not_found");
    expect(unknown.error.issues[0]?.path).toEqual(["json", "arms", 1, "version"]);
    expect(
      (await call(app, "POST", "/v1/experiments", { key: CLIENT, body: { id: "e1", arms: arms() } })).status,
    ).toBe(403);

    expect(Experiment.parse(await (await startExp(app, "e1")).json())).toMatchObject({ status: "running" });
    await expectError(await startExp(app, "e2"), 409, "conflict");
    await expectError(await startExp(app, "e1"), 409, "conflict");
    const list = ExperimentList.parse(
      await (await call(app, "GET", "/v1/experiments", { key: CLIENT })).json(),
    );
    expect(list.experiments.map((e) => [e.id, e.status])).toEqual([["e1", "running"]]);
  });

  it("assigns each user a stable arm whose version answers, and labels every answer", async () => {
    const app = createApp();
    await publish("pop-1", "pop-2", "pop-3");
    await activateModelVersion(env.DB, "pop-3");
    expect((await forUser(app, "u0")).arm).toEqual({ experiment_id: null, name: "live" });
    expect((await startExp(app, "e1")).status).toBe(200);

    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const answer = await forUser(app, `u${i}`);
      expect(answer.arm?.experiment_id).toBe("e1");
      expect(answer.model_version).toBe(answer.arm?.name === "control" ? "pop-1" : "pop-2");
      seen.set(`u${i}`, answer.arm?.name ?? "");
    }
    expect(new Set(seen.values())).toEqual(new Set(["control", "treatment"]));
    for (const [user, arm] of [...seen].slice(0, 10)) expect((await forUser(app, user)).arm?.name).toBe(arm);

    const pinned = await call(app, "GET", "/v1/users/u1/recommendations?model_version=pop-3", {
      key: CLIENT,
    });
    expect(RecommendResponse.parse(await pinned.json()).arm).toEqual({ experiment_id: null, name: "pinned" });
    const session = async (extra: object) => {
      const body = { history: ["x"], ...extra };
      const res = await call(app, "POST", "/v1/recommendations", { key: CLIENT, body });
      return RecommendResponse.parse(await res.json());
    };
    expect((await session({})).arm).toEqual({ experiment_id: null, name: "live" });
    expect((await session({})).model_version).toBe("pop-3");
    const keyed = await session({ session_key: "u3" });
    expect(keyed.arm).toEqual({ experiment_id: "e1", name: seen.get("u3") });
  });

  it("promotes atomically: the winner goes live and everyone gets it; an ended experiment is a 409", async () => {
    const app = createApp();
    await publish("pop-1", "pop-2");
    await activateModelVersion(env.DB, "pop-1");
    expect((await startExp(app, "e1")).status).toBe(200);
    const bad = await expectError(
      await call(app, "POST", "/v1/experiments/e1/promote", { body: { arm: "nope" } }),
      400,
      "invalid_request",
    );
    expect(bad.error.issues[0]?.path).toEqual(["json", "arm"]);
    const res = await call(app, "POST", "/v1/experiments/e1/promote", { body: { arm: "treatment" } });
    expect(Experiment.parse(await res.json())).toMatchObject({ status: "promoted", winner: "treatment" });
    const models = ModelList.parse(await (await call(app, "GET", "/v1/models", { key: CLIENT })).json());
    expect(models.models.filter((m) => m.live).map((m) => m.version)).toEqual(["pop-2"]);
    for (const user of ["a", "b", "c", "d"]) {
      expect(await forUser(app, user)).toMatchObject({ model_version: "pop-2", arm: { name: "live" } });
    }
    await expectError(
      await call(app, "POST", "/v1/experiments/e1/promote", { body: { arm: "control" } }),
      409,
      "conflict",
    );
    await expectError(await call(app, "POST", "/v1/experiments/e1/stop"), 409, "conflict");
    await expectError(await call(app, "POST", "/v1/experiments/e9/stop"), 404, "not_found");
  });

  it("leaves the experiment running and the live version as it was when the winner fails its checks", async () => {
    const app = createApp();
    await publish("pop-1");
    // registered but its files are not in R2: activation's checks refuse it
    const manifest = JSON.stringify({ format: 1, version: "sas-1", model: "sasrec" });
    await insertModelVersion(env.DB, { version: "sas-1", model: "sasrec", manifest }, 2000);
    await activateModelVersion(env.DB, "pop-1");
    expect((await startExp(app, "e1", arms("pop-1", "sas-1"))).status).toBe(200);
    const res = await call(app, "POST", "/v1/experiments/e1/promote", { body: { arm: "treatment" } });
    await expectError(res, 422, "invalid_artifact");
    const list = ExperimentList.parse(
      await (await call(app, "GET", "/v1/experiments", { key: ADMIN })).json(),
    );
    expect(list.experiments[0]?.status).toBe("running");
    const models = ModelList.parse(await (await call(app, "GET", "/v1/models", { key: CLIENT })).json());
    expect(models.models.filter((m) => m.live).map((m) => m.version)).toEqual(["pop-1"]);
    // stopping hands everyone back to the live version
    expect(Experiment.parse(await (await call(app, "POST", "/v1/experiments/e1/stop")).json()).status).toBe(
      "stopped",
    );
    expect((await forUser(app, "u1")).arm).toEqual({ experiment_id: null, name: "live" });
  });
});
