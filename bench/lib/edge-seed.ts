import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { publishDir } from "@genrec/infra/commands/models";
import type { EdgeClient } from "@genrec/infra/edge-client";
import { ArtifactManifest } from "@genrec/shared";
import { REPO } from "./result.ts";

/**
 * The RPG set `dir` re-labelled to serve model.int8.onnx as version `<version>-int8`, written to a
 * scratch folder (.genrec/tmp) with every file but the fp32 model; the manifest keeps their sizes
 * and checksums, so the edge checks the copy as it checks the original.
 */
export function int8Variant(dir: string): string {
  const manifest = ArtifactManifest.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
  if (manifest.model !== "rpg" || !manifest.files["model.int8.onnx"])
    throw new Error(`${dir} holds no RPG model.int8.onnx`);
  const version = `${manifest.version}-int8`;
  const out = join(REPO, ".genrec/tmp", `bench-${version}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const files = Object.fromEntries(Object.entries(manifest.files).filter(([f]) => f !== "model.onnx"));
  for (const f of Object.keys(files)) copyFileSync(join(dir, f), join(out, f));
  const variant = {
    ...manifest,
    version,
    files,
    onnx: { ...manifest.onnx, file: "model.int8.onnx", quantized: true },
  };
  writeFileSync(join(out, "manifest.json"), JSON.stringify(variant));
  return out;
}

/**
 * What a served edge holds before the load: the set's catalogue as items, `stored` users' whole
 * sequences as events (the user route's histories and the popularity counts), the set published
 * and live. Stored users are `bench-u<i>`.
 */
export async function seedEdge(
  edge: EdgeClient,
  dir: string,
  stored: string[][],
  log: (line: string) => void,
): Promise<string> {
  // items.json holds the padding row 0 as "".
  const ids = (JSON.parse(readFileSync(join(dir, "items.json"), "utf8")) as string[]).filter(Boolean);
  for (let i = 0; i < ids.length; i += 1000)
    await edge.upsertItems(ids.slice(i, i + 1000).map((id) => ({ id })));
  const base = Date.parse("2024-01-01T00:00:00Z");
  const events = stored.flatMap((items, u) =>
    items.map((item_id, j) => ({
      event_id: `bench-u${u}-${j}`,
      user_id: `bench-u${u}`,
      item_id,
      timestamp: new Date(base + u * 1000 + j).toISOString(),
      type: "purchase",
    })),
  );
  log(`${ids.length} items stored`);
  for (let i = 0; i < events.length; i += 1000) await edge.ingest(events.slice(i, i + 1000));
  log(`${events.length} events stored`);
  const { version } = await publishDir(edge, dir, log);
  await edge.activate(version);
  log(`${version} live`);
  return version;
}
