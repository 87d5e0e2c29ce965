import { describe, expect, it } from "vitest";
import { EdgeUnreachableError, edgeClient } from "./edge-client.ts";
import { claimPort } from "./ports.ts";
import { fakeServer } from "./testing/fake-server.ts";

const keys = { adminKey: "admin-k", clientKey: "client-k" };

describe("edgeClient", () => {
  it("sends no key to a server that does not report the stack's instance value", async () => {
    const foreign = await fakeServer("someone-else");
    try {
      const edge = edgeClient({ url: foreign.url, ...keys, instance: "run-1" });
      const refused = edge.models();
      await expect(refused).rejects.toBeInstanceOf(EdgeUnreachableError);
      await expect(refused).rejects.toThrow(
        `cannot reach the edge at ${foreign.url} (another server answers`,
      );
      expect(foreign.seen.map((r) => r.url)).toEqual(["/health"]);
      expect(foreign.seen.some((r) => r.headers.authorization)).toBe(false);
    } finally {
      await foreign.close();
    }
  });

  it("checks once, then sends the key to the stack that reports its instance value", async () => {
    const ours = await fakeServer("run-1");
    try {
      const edge = edgeClient({ url: ours.url, ...keys, instance: "run-1" });
      await edge.job("j1").catch(() => {}); // `{}` is no Job; only the requests matter here
      await edge.job("j1").catch(() => {});
      expect(ours.seen.map((r) => r.url)).toEqual(["/health", "/v1/jobs/j1", "/v1/jobs/j1"]);
      expect(ours.seen[1]?.headers.authorization).toBe("Bearer admin-k");
    } finally {
      await ours.close();
    }
  });

  it("names the URL and how to start the stack when nothing listens, instead of 'fetch failed'", async () => {
    const url = `http://127.0.0.1:${await claimPort(0, "test")}`;
    const down = edgeClient({ url, ...keys }).models();
    await expect(down).rejects.toThrow(
      `cannot reach the edge at ${url} (GET /v1/models: ECONNREFUSED): start the local stack with \`npm start\``,
    );
  });
});
