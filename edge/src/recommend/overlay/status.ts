import type { ItemSid } from "@genrec/shared";
import { overlayRow } from "../../storage/overlay.ts";
import { liveVersion } from "../live/index.ts";
import type { Serving } from "../serving.ts";

/**
 * An item's semantic-ID state in the live RPG or DiffGRM version: its cold-start row when it has
 * one (with the worker's codes once `ready`), else (RPG) `trained` with its codes when the version's
 * own table holds it; undefined when neither is live, the set cannot be read, or the version knows
 * nothing of the item (e.g. written before a cold-start set).
 */
export async function itemSid(env: Env, services: Serving, id: string): Promise<ItemSid | undefined> {
  const live = await liveVersion(env.DB, services);
  if (live?.model !== "rpg" && live?.model !== "diffgrm") return undefined;
  const row = await overlayRow(env.DB, live.version, id);
  if (row) {
    return {
      model_version: live.version,
      state: row.state,
      ...(row.codes ? { codes: row.codes } : {}),
      attempts: row.attempts,
      ...(row.error ? { error: row.error } : {}),
    };
  }
  if (live.model === "diffgrm") return undefined; // its trained items stay on the GPU worker
  const set = await services.artifacts.get(env.ARTIFACTS, live.version).catch(() => null);
  if (set?.kind !== "rpg") return undefined;
  const at = set.rowOf.get(id);
  if (at === undefined) return undefined;
  const { codes, digits } = set.sids;
  return {
    model_version: live.version,
    state: "trained",
    codes: Array.from(codes.subarray(at * digits, (at + 1) * digits)),
  };
}
