import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  clearLocalState,
  type LocalState,
  resolveEdge,
  runningLocalStack,
  writeLocalState,
} from "./config.ts";
import { GENREC_DIR, removeDir, scratchDir } from "./paths.ts";
import { fakeServer } from "./testing/fake-server.ts";

const dir = scratchDir("config-test");
const file = join(dir, "local.json");
const record = (edgeUrl: string, instance = "run-1"): LocalState => ({
  edgeUrl,
  gpuUrl: "http://127.0.0.1:1",
  adminKey: "admin-k",
  clientKey: "client-k",
  instance,
  pid: process.pid,
});
const env = { ...process.env };
afterEach(() => {
  process.env = { ...env };
});
afterAll(() => removeDir(dir));

describe("the local stack's record", () => {
  it("counts as running only while its edge reports its instance value", async () => {
    const ours = await fakeServer("run-1");
    const foreign = await fakeServer("run-2");
    try {
      writeLocalState(record(ours.url), file);
      expect(await runningLocalStack(file)).toMatchObject({ edgeUrl: ours.url });
      writeLocalState(record(foreign.url), file);
      expect(await runningLocalStack(file)).toBeUndefined();
    } finally {
      await Promise.all([ours.close(), foreign.close()]);
    }
    expect(await runningLocalStack(join(dir, "none.json"))).toBeUndefined();
  });

  it("is removed only by the stack that wrote it", () => {
    writeLocalState(record("http://127.0.0.1:1", "run-2"), file);
    clearLocalState("run-1", file);
    expect(existsSync(file)).toBe(true);
    clearLocalState("run-2", file);
    expect(existsSync(file)).toBe(false);
  });
});

describe("resolveEdge", () => {
  it("sends the record's keys only to the record's edge, which must report its instance value", () => {
    delete process.env.GENREC_EDGE_URL;
    delete process.env.GENREC_ADMIN_KEY;
    delete process.env.GENREC_CLIENT_KEY;
    writeLocalState(record("http://127.0.0.1:1"), file);
    expect(resolveEdge(undefined, file)).toEqual({
      url: "http://127.0.0.1:1",
      adminKey: "admin-k",
      clientKey: "client-k",
      instance: "run-1",
    });
    expect(resolveEdge("https://edge.example", file)).toEqual({ url: "https://edge.example" });
  });

  it("says how to start the stack when there is no edge to talk to", () => {
    delete process.env.GENREC_EDGE_URL;
    expect(() => resolveEdge(undefined, join(dir, "none.json"))).toThrow(
      /^no edge to talk to: start the local stack with `npm start`/,
    );
  });
});

describe("scratchDir", () => {
  it("lives under .genrec/tmp, never the system temp dir, and sweeps folders of dead processes", () => {
    expect(dir.startsWith(join(GENREC_DIR, "tmp"))).toBe(true);
    const dead = join(GENREC_DIR, "tmp", "999999999-stack-x");
    mkdirSync(dead, { recursive: true });
    const next = scratchDir("sweep");
    expect(readdirSync(join(GENREC_DIR, "tmp"))).not.toContain("999999999-stack-x");
    expect(existsSync(dir)).toBe(true);
    removeDir(next);
  });
});
