import { type ArtifactFileName, ArtifactManifest } from "@genrec/shared";

/** R2 layout: every file of a version lives under `models/<version>/`. */
export const artifactKey = (version: string, file: ArtifactFileName) => `models/${version}/${file}`;

/** The slice of an R2 bucket the loaders read, so benchmarks can serve a directory instead. */
export type ArtifactSource = Pick<R2Bucket, "get">;

/** Why a set cannot serve; the message names the file and the check that failed. */
export class ArtifactError extends Error {
  override name = "ArtifactError";
}

type DataFile = Exclude<ArtifactFileName, "manifest.json">;

async function hex(buffer: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** One file of a set, its size and sha256 checked against the manifest. */
export async function readFile(
  bucket: ArtifactSource,
  manifest: ArtifactManifest,
  file: DataFile,
): Promise<ArrayBuffer> {
  const expected = manifest.files[file];
  if (!expected) throw new ArtifactError(`manifest lists no ${file}`);
  const object = await bucket.get(artifactKey(manifest.version, file));
  if (!object) throw new ArtifactError(`${file} is missing from R2`);
  const buffer = await object.arrayBuffer();
  if (buffer.byteLength !== expected.bytes)
    throw new ArtifactError(`${file}: ${buffer.byteLength} bytes, manifest says ${expected.bytes}`);
  if ((await hex(buffer)) !== expected.sha256)
    throw new ArtifactError(`${file}: sha256 differs from the manifest`);
  return buffer;
}

/** Several files at once, in the order asked. */
export function readFiles(bucket: ArtifactSource, manifest: ArtifactManifest, files: readonly DataFile[]) {
  return Promise.all(files.map((f) => readFile(bucket, manifest, f)));
}

export async function readManifest(bucket: ArtifactSource, version: string): Promise<ArtifactManifest> {
  const object = await bucket.get(artifactKey(version, "manifest.json"));
  if (!object) throw new ArtifactError("manifest.json is missing from R2");
  const parsed = ArtifactManifest.safeParse(await object.json().catch(() => undefined));
  if (!parsed.success)
    throw new ArtifactError(`manifest.json is invalid: ${parsed.error.issues[0]?.message}`);
  if (parsed.data.version !== version)
    throw new ArtifactError(`manifest.json names version ${parsed.data.version}`);
  return parsed.data;
}

/** items.json: N+1 item ids (row 0 is padding) and the row of each id. */
export interface ItemTable {
  itemIds: string[];
  rowOf: Map<string, number>;
}

export function itemTable(buffer: ArrayBuffer, n: number): ItemTable {
  const itemIds: unknown = JSON.parse(new TextDecoder().decode(buffer));
  if (!Array.isArray(itemIds) || itemIds.length !== n + 1 || !itemIds.every((id) => typeof id === "string")) {
    throw new ArtifactError(`items.json must be an array of ${n + 1} strings`);
  }
  const rowOf = new Map<string, number>();
  for (const [row, id] of (itemIds as string[]).entries()) if (row > 0) rowOf.set(id, row);
  return { itemIds: itemIds as string[], rowOf };
}
