import {
  Item,
  ItemParam,
  ItemsBatch,
  RecommendResponse,
  SimilarQuery,
  StoredItem,
  UpsertResult,
} from "@genrec/shared";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors/api-error.ts";
import { errors, guard, jsonBody, ok, samePathId } from "../../openapi/responses.ts";
import { remoteManifest } from "../../recommend/diffgrm/remote.ts";
import { resolveVersion } from "../../recommend/index.ts";
import { withLiveOverlay } from "../../recommend/overlay/cache.ts";
import { itemSid } from "../../recommend/overlay/status.ts";
import { hasItemLists, similarFromSet } from "../../recommend/sets/serve.ts";
import { getItem, upsertItems } from "../../storage/items.ts";
import { getModelVersion, type ModelVersionRow } from "../../storage/models.ts";
import { upserted } from "./cold-start.ts";

/** The version whose lists answer: the version itself, or a DiffGRM version's edge fallback. */
async function listsVersion(db: D1Database, version: ModelVersionRow | null) {
  if (version?.model !== "diffgrm") return version?.model === "popularity" ? null : version;
  const fallback = remoteManifest(version).fallback_version;
  const row = fallback ? await getModelVersion(db, fallback) : null;
  return row && row.model !== "diffgrm" && row.model !== "popularity" ? row : null;
}

const putItem = createRoute({
  method: "put",
  path: "/v1/items/{item_id}",
  summary: "Create or replace one item (admin)",
  tags: ["catalogue"],
  ...guard("admin"),
  request: { params: ItemParam, body: jsonBody(Item, samePathId("id", "item_id")) },
  responses: { ...ok(UpsertResult, "stored"), ...errors(400, 401, 403, 413) },
});

const batchItems = createRoute({
  method: "post",
  path: "/v1/items/batch",
  summary: "Create or replace up to 1,000 items (admin); all or nothing",
  tags: ["catalogue"],
  ...guard("admin"),
  request: { body: jsonBody(ItemsBatch) },
  responses: { ...ok(UpsertResult, "stored"), ...errors(400, 401, 403, 413) },
});

const readItem = createRoute({
  method: "get",
  path: "/v1/items/{item_id}",
  summary: "Read one item",
  tags: ["catalogue"],
  ...guard("client"),
  request: { params: ItemParam },
  responses: {
    ...ok(StoredItem, "the item, with its semantic-ID state in the live RPG version"),
    ...errors(400, 401, 403, 404),
  },
});

const similar = createRoute({
  method: "get",
  path: "/v1/items/{item_id}/similar",
  summary: "Items near this one in the live (or named) model's item lists (rpg, content-knn)",
  tags: ["recommendations"],
  ...guard("client"),
  request: { params: ItemParam, query: SimilarQuery },
  responses: { ...ok(RecommendResponse, "nearest items first"), ...errors(400, 401, 403, 404, 409) },
});

export function itemRoutes(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.openapi(putItem, async (c) => {
    const { item_id } = c.req.valid("param");
    const item = c.req.valid("json");
    if (item.id !== item_id) {
      throw ApiError.invalid(`json.id '${item.id}' differs from the path's item id`, [
        { code: "mismatch", path: ["json", "id"], message: `must equal the path's item id '${item_id}'` },
      ]);
    }
    await upsertItems(c.env.DB, [item]);
    return c.json(await upserted(c, [item]), 200);
  });
  app.openapi(batchItems, async (c) => {
    const { items } = c.req.valid("json");
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.id)) {
        throw ApiError.invalid(`duplicate item id '${item.id}' in the batch`, [
          { code: "duplicate", path: ["json", "items", i, "id"], message: "appears earlier in this batch" },
        ]);
      }
      seen.add(item.id);
    });
    await upsertItems(c.env.DB, items);
    return c.json(await upserted(c, items), 200);
  });
  app.openapi(readItem, async (c) => {
    const { item_id } = c.req.valid("param");
    const item = await getItem(c.env.DB, item_id);
    if (!item) throw ApiError.notFound(`unknown item '${item_id}'`);
    const sid = await itemSid(c.env, c.var.services, item_id);
    return c.json(sid ? { ...item, sid } : item, 200);
  });
  app.openapi(similar, async (c) => {
    const { item_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const version = await listsVersion(c.env.DB, await resolveVersion(c.env.DB, query.model_version));
    const loaded = version && (await c.var.services.artifacts.get(c.env.ARTIFACTS, version.version));
    const set = loaded?.kind === "rpg" ? await withLiveOverlay(c.env.DB, loaded) : loaded;
    if (!set || !hasItemLists(set))
      throw new ApiError(
        409,
        "conflict",
        "similar items need a live rpg or content-knn model (their item lists)",
      );
    const row = set.rowOf.get(item_id);
    if (row === undefined)
      throw ApiError.notFound(`item '${item_id}' is not in model ${set.manifest.version}`);
    const items = similarFromSet(set, row, query.n ?? 10);
    return c.json(
      {
        recommendation_id: crypto.randomUUID(),
        model: set.manifest.model,
        model_version: set.manifest.version,
        items,
      },
      200,
    );
  });
  return app;
}
