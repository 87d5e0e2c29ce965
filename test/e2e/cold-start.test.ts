import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { importSample } from "@genrec/infra/commands/data";
import { waitForJob } from "@genrec/infra/commands/train";
import { edgeClient } from "@genrec/infra/edge-client";
import { type LocalStack, stackEdge, startLocalStack } from "@genrec/infra/local-stack";
import { RecommendResponse, StoredItem, UpsertResult } from "@genrec/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Cold start through real processes: a tiny RPG with a text term trained through the API on the
// bundled sample, then an item the model never saw upserted and recommended, its SID and text vector
// from the real GPU worker's assign_sids with the version's own codebooks and encoder. The edge walks
// the item graph (DECODE_MODE=graph), so the new item is reached only through the links the edge
// added for it, and it scores as its twin only if it got the twin's text term too.
let stack: LocalStack;
let edge: ReturnType<typeof edgeClient>;
const HISTORY = ["B004756YJA", "B004ZT0SSG", "B0020YLEYK", "7806397051"];
const NEW = "COLD-START-1";

const logs: string[] = [];

let version: string;
let digits: number;
let warming: Promise<void>;

/**
 * A cold worker loads its text encoder on its first call, which on this loaded 2-core machine took
 * minutes, far beyond the 30 s a Worker's waitUntil may run: warm it (during the training), as a
 * serving worker is. Node's fetch gives up waiting for headers after 300 s, so it asks again.
 */
async function warmUp(): Promise<void> {
  const deadline = Date.now() + 590_000;
  for (;;) {
    try {
      const res = await fetch(`${stack.gpuUrl}/rpc/embed`, {
        method: "POST",
        headers: { authorization: `Bearer ${stack.gpuToken}`, "content-type": "application/json" },
        body: JSON.stringify({ texts: ["warm-up"] }),
      });
      expect(res.status).toBe(200);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

beforeAll(async () => {
  const log = (line: string) => logs.push(line);
  stack = await startLocalStack({ vars: { DECODE_MODE: "graph" }, log, timeoutMs: 300_000 });
  edge = edgeClient(stackEdge(stack));
  warming = warmUp();
  warming.catch(() => {}); // awaited, and so reported, after the training
  await importSample(edge, () => {});
});
// Its own hook (and time limit): the training, which a loaded 2-core machine makes slow.
beforeAll(async () => {
  const overrides = { "train.epochs": 1, "model.text_head": "meta", "model.history_negatives": true };
  const job = await edge.train({ model: "rpg", preset: "tiny", overrides });
  const done = await waitForJob(edge, job.job_id, () => {}, { pollMs: 500, timeoutMs: 570_000 });
  expect(done.error).toBeUndefined();
  version = done.artifact_version as string;
  // the exported set has the text term (the worker keeps it in the stack's state folder)
  const files = readdirSync(stack.stateDir, { recursive: true, encoding: "utf8" });
  const path = files.find((f) => f.endsWith(join(version, "manifest.json")));
  expect(path, `${version}/manifest.json under ${stack.stateDir}`).toBeDefined();
  const manifest = JSON.parse(readFileSync(join(stack.stateDir, path as string), "utf8"));
  expect(manifest.text).toMatchObject({ source: "meta / all-MiniLM-L6-v2", output: "text_query" });
  digits = manifest.digits;
  await edge.activate(version);
  await warming;
});
afterAll(async () => {
  await stack?.stop();
});

async function send(method: string, path: string, key: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${stack.edgeUrl}${path}`, init);
  expect(res.status, `${method} ${path}`).toBe(200);
  return res.json();
}

const item = async (id: string) => StoredItem.parse(await send("GET", `/v1/items/${id}`, stack.clientKey));

describe("an item added after training", () => {
  it("is recommended within seconds of its upsert, without retraining", async () => {
    // The new item copies the text of the item the model ranks first for this history: its SID,
    // encoded from that text with the version's codebooks, is the twin's, and so is its score.
    const before = await edge.recommendForSession(HISTORY, 5);
    const twin = before.items[0]?.item_id as string;
    expect(before.items.map((i) => i.item_id)).not.toContain(NEW);
    const { sid: twinSid, ...text } = await item(twin);
    expect(twinSid).toMatchObject({ model_version: version, state: "trained" });
    expect(twinSid?.codes).toHaveLength(digits);

    const started = Date.now();
    const put = UpsertResult.parse(
      await send("PUT", `/v1/items/${NEW}`, stack.adminKey, { ...text, id: NEW }),
    );
    expect(put).toEqual({ upserted: 1, sids_pending: 1 });
    let state = (await item(NEW)).sid;
    while (state?.state === "pending" && Date.now() - started < 60_000) {
      await new Promise((r) => setTimeout(r, 100));
      state = (await item(NEW)).sid;
    }
    if (state?.state !== "ready") console.log(logs.slice(-40).join("\n"));
    // the worker encoded the twin's text with the version's codebooks: the twin's own SID
    expect(state).toEqual({ model_version: version, state: "ready", codes: twinSid?.codes, attempts: 1 });
    const after = await edge.recommendForSession(HISTORY, 10);
    const seconds = (Date.now() - started) / 1000;
    console.log(`cold start: ${NEW} ready and recommended ${seconds.toFixed(1)} s after its upsert`);
    expect(after.model_version).toBe(version);
    const ids = after.items.map((i) => i.item_id);
    expect(ids).toContain(NEW);
    const score = (id: string) => after.items.find((i) => i.item_id === id)?.score;
    expect(score(NEW)).toBeCloseTo(score(twin) as number, 5);

    // Linked into the graph: the twin is among its neighbours.
    const similar = RecommendResponse.parse(
      await send("GET", `/v1/items/${NEW}/similar?n=10`, stack.clientKey),
    );
    expect(similar.items.map((i) => i.item_id)).toContain(twin);
  });
});
