import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "./index.ts";
import { DEFAULT_SETTINGS, readSettings } from "./settings.ts";

function read(vars: Parameters<typeof readSettings>[0]) {
  const warnings: Record<string, unknown>[] = [];
  return { settings: readSettings(vars, (line) => warnings.push(line)), warnings };
}

describe("Worker settings", () => {
  it("declares every var in wrangler.jsonc at its default", () => {
    expect(read(env)).toEqual({ settings: DEFAULT_SETTINGS, warnings: [] });
    expect(DEFAULT_SETTINGS).toEqual({
      breakerThreshold: 3,
      breakerCooldownMs: 30_000,
      registerProbeMs: 60_000,
    });
  });

  it("reads integers given as strings or JSON numbers; an absent var is its default", () => {
    expect(read({ BREAKER_THRESHOLD: " 5 ", BREAKER_COOLDOWN_MS: 1500 })).toEqual({
      settings: { ...DEFAULT_SETTINGS, breakerThreshold: 5, breakerCooldownMs: 1500 },
      warnings: [],
    });
    expect(read({ REGISTER_PROBE_MS: "120000" }).settings.registerProbeMs).toBe(120_000);
  });

  it("keeps the default and warns, naming the var, for a malformed or out-of-bounds value", () => {
    for (const [name, value] of [
      ["BREAKER_THRESHOLD", "0"],
      ["BREAKER_THRESHOLD", "three"],
      ["BREAKER_THRESHOLD", "2.5"],
      ["BREAKER_COOLDOWN_MS", "-1"],
      ["BREAKER_COOLDOWN_MS", ""],
      ["BREAKER_COOLDOWN_MS", "1e4"],
      ["REGISTER_PROBE_MS", "999"],
      ["REGISTER_PROBE_MS", 300_001],
      ["REGISTER_PROBE_MS", true],
    ] as const) {
      const { settings, warnings } = read({ [name]: value });
      expect(settings).toEqual(DEFAULT_SETTINGS);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ setting: name, value });
      expect(String(warnings[0]?.message)).toMatch(
        new RegExp(`^${name} must be an integer .*using the default`),
      );
    }
  });

  it("builds the Worker's app from its vars (index.ts)", async () => {
    const res = await worker.fetch(new Request("http://edge.test/health"), env, createExecutionContext());
    expect(res.status).toBe(200);
  });
});
