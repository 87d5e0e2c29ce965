import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ArtifactManifest, type ModelVersion } from "@genrec/shared";
import type { EdgeClient } from "../edge-client.ts";

/** Uploads an exported artifact directory (docs/artifacts.md) and registers it; the edge validates. */
export async function publishDir(
  edge: EdgeClient,
  dir: string,
  say: (line: string) => void,
): Promise<ModelVersion> {
  const manifest = ArtifactManifest.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
  for (const [name, meta] of Object.entries(manifest.files)) {
    const bytes = new Uint8Array(readFileSync(join(dir, name)));
    await edge.uploadFile(manifest.version, name, bytes);
    say(`uploaded ${name} (${(meta.bytes / 1024).toFixed(0)} KiB)`);
  }
  const registered = await edge.register(manifest.version, manifest);
  say(
    `registered ${registered.version} (${registered.model}); activate with: genrec activate ${registered.version}`,
  );
  return registered;
}
