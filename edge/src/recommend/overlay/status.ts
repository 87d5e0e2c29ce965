import type { ItemSid } from "@genrec/shared";
import { overlayRow } from "../../storage/overlay.ts";
import { liveVersion } from "../live/index.ts";
import type { Serving } from "../serving.ts";

/**
 * An item's semantic-ID state in the live RPG version: its cold-start row when it has one, else
 * `trained` when the version's own table holds it; undefined when no RPG version is live, the set
 * cannot be read, or the version knows nothing of the item (e.g. written before a cold-start set).
 */
export async function itemSid(env: Env, services: Serving, id: string): Promise<ItemSid | undefined> {
  const live = await liveVersion(env.DB, services);
  if (live?.model !== "rpg") return undefined;
  const row = await overlayRow(env.DB, live.version, id);
  if (row) {
    return {
      model_version: live.version,
      state: row.state,
      attempts: row.attempts,
      ...(row.error ? { error: row.error } : {}),
    };
  }
  const set = await services.artifacts.get(env.ARTIFACTS, live.version).catch(() => null);
  return set?.rowOf.has(id) ? { model_version: live.version, state: "trained" } : undefined;
}
