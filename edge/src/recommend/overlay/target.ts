import type { RpgTextTerm } from "@genrec/shared";
import { remoteManifest } from "../diffgrm/remote.ts";
import { liveVersion } from "../live/index.ts";
import type { Serving } from "../serving.ts";
import { invalidateOverlay } from "./cache.ts";
import { invalidateSidMap } from "./sid-map.ts";

/** The live version as cold start sees it: where its new items' SIDs come from and go. */
export interface Target {
  version: string;
  /** The GPU worker's SID artifact (assign_sids' artifact_version). */
  artifact: string;
  /** How many codes a SID has, when the edge knows it (RPG's manifest). */
  digits?: number;
  /** An RPG set's text term: new items need a text vector of `dim` from `source` (assign_sids' text_source). */
  text?: Pick<RpgTextTerm, "source" | "dim">;
  /** Whether the version was trained on the item (it keeps its trained SID). */
  knows(id: string): boolean;
  /** Whether the edge can list the version's items (catch-up on activation needs to). */
  listsItems: boolean;
  /** After new codes were stored: this isolate serves them from its next request. */
  stored(): void;
}

/**
 * The live version when it can take items added after training: an RPG set or a GPU-served DiffGRM
 * version whose manifest names a SID artifact. The edge does not know a DiffGRM version's items
 * (they stay on the worker), so every item written while one is live gets a SID; the worker finds
 * trained items by their trained SIDs first, and the edge answers a SID it maps to no item from them.
 */
export async function coldStartTarget(env: Env, services: Serving): Promise<Target | null> {
  const live = await liveVersion(env.DB, services);
  if (live?.model === "diffgrm") {
    const artifact = remoteManifest(live).sid_artifact;
    if (!artifact) return null;
    const version = live.version;
    const stored = () => invalidateSidMap(services, version);
    return { version, artifact, knows: () => false, listsItems: false, stored };
  }
  if (live?.model !== "rpg") return null;
  const set = await services.artifacts.get(env.ARTIFACTS, live.version);
  if (set.kind !== "rpg" || !set.manifest.sid_artifact) return null;
  return {
    version: live.version,
    artifact: set.manifest.sid_artifact,
    digits: set.manifest.digits,
    ...(set.manifest.text ? { text: set.manifest.text } : {}),
    knows: (id) => set.rowOf.has(id),
    listsItems: true,
    stored: () => invalidateOverlay(set),
  };
}
