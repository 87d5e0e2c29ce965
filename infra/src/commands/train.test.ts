import type { Job } from "@genrec/shared";
import { describe, expect, it } from "vitest";
import { newLines, reportJob } from "./train.ts";

describe("newLines", () => {
  it("shows only what a rolling log tail added", () => {
    expect(newLines([], ["a", "b"])).toEqual(["a", "b"]);
    expect(newLines(["a", "b"], ["a", "b", "c"])).toEqual(["c"]);
    expect(newLines(["a", "b", "c"], ["b", "c", "d", "e"])).toEqual(["d", "e"]);
    expect(newLines(["a", "b"], ["a", "b"])).toEqual([]);
    expect(newLines(["x"], ["y", "z"])).toEqual(["y", "z"]);
  });
});

describe("reportJob", () => {
  const job: Job = {
    job_id: "j1",
    model: "rpg",
    state: "succeeded",
    phase: "done",
    progress: 1,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:01:00Z",
    logs: [],
    artifact_version: "rpg-abc",
    metrics: { "test_ndcg@10": 0.0312, loss: 2 },
  };

  it("prints the new version and the command that makes it live", () => {
    const lines: string[] = [];
    expect(reportJob(job, (l) => lines.push(l))).toBe(true);
    expect(lines).toEqual([
      "trained rpg-abc (test_ndcg@10 0.0312)",
      "next: npm run genrec -- activate rpg-abc   (makes it live)",
    ]);
  });

  it("says why a job produced nothing and where its log is", () => {
    const lines: string[] = [];
    const { artifact_version: _, metrics: __, ...failed } = job;
    expect(reportJob({ ...failed, state: "failed", error: "oom" }, (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual(["job j1 failed: oom", "next: npm run genrec -- status j1   (its log tail)"]);
  });
});
