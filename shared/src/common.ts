import { z } from "zod";
import { define } from "./registry.ts";

const noWhitespace = /^\S+$/;

/** Catalogue item id (e.g. an ASIN). Opaque, case-sensitive, no whitespace. */
export const ItemId = z.string().min(1).max(256).regex(noWhitespace, "must not contain whitespace");
/** User id. Opaque, case-sensitive, no whitespace. */
export const UserId = z.string().min(1).max(256).regex(noWhitespace, "must not contain whitespace");
/** Version label of a published artifact set, e.g. `rpg-beauty-20261124T1830Z`. */
export const ArtifactVersion = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only");

export const ModelKind = z.enum(["popularity", "sasrec", "esasrec", "rpg", "diffgrm"]);
export type ModelKind = z.infer<typeof ModelKind>;

export const ScoredItem = define(
  "ScoredItem",
  "A recommended item with its model score (higher is better; scales differ per model).",
  z.strictObject({ item_id: ItemId, score: z.number() }),
);
export type ScoredItem = z.infer<typeof ScoredItem>;
