import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ArgumentError, recommendArgs, remoteArgs, trainArgs } from "./args.ts";

describe("command-line arguments", () => {
  it("parse with the shared schemas", () => {
    expect(trainArgs({ model: "rpg", preset: "tiny" })).toEqual({ model: "rpg", preset: "tiny" });
    expect(remoteArgs({ artifact: "dg-beauty", "deadline-ms": "900", beam: "64" })).toEqual({
      artifact_version: "dg-beauty",
      deadline_ms: 900,
      beam: 64,
    });
    expect(remoteArgs({ artifact: "dg-beauty", "sid-artifact": "beauty-pse-m4" })).toEqual({
      artifact_version: "dg-beauty",
      sid_artifact: "beauty-pse-m4",
    });
    expect(recommendArgs({ n: "5", history: "A,B" })).toEqual({ n: 5, history: ["A", "B"] });
  });

  it("name a bad argument and its value instead of sending it", () => {
    expect(() => trainArgs({ model: "rpg", preset: "huge" })).toThrow(ArgumentError);
    expect(() => trainArgs({ model: "rpg", preset: "huge" })).toThrow(/^--preset "huge": /);
    expect(() => remoteArgs({ artifact: "dg", "deadline-ms": "soon" })).toThrow(/^--deadline-ms "soon": /);
    expect(() => remoteArgs({ artifact: "dg", "sid-artifact": "a/b" })).toThrow(/^--sid-artifact "a\/b": /);
    expect(() => recommendArgs({ n: "0", user: "u1" })).toThrow(/^--n "0": /);
  });

  it("stop the CLI with that message before it looks for an edge", () => {
    const cli = fileURLToPath(new URL("./cli.ts", import.meta.url));
    const run = () =>
      execFileSync(process.execPath, ["--import", "tsx", cli, "train", "--preset", "huge"], {
        encoding: "utf8",
        stdio: "pipe",
        env: { ...process.env, GENREC_EDGE_URL: "http://127.0.0.1:9" },
      });
    expect(run).toThrow(/genrec: --preset "huge": Invalid option/);
  });
});
