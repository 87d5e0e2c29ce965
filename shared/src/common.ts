import { z } from "zod";
import { define } from "./registry.ts";

/**
 * A Unicode-aware pattern that prints as `/source/`: @asteasolutions/zod-to-openapi writes a
 * pattern with toString(), which would carry the `u` flag into the OpenAPI document (`...$/u`).
 */
class UnicodePattern extends RegExp {
  constructor(source: string) {
    super(source, "u");
  }
  override toString(): string {
    return `/${this.source}/`;
  }
}

/**
 * An opaque id: printable text without whitespace, control characters (NUL, C0/C1) or invisible
 * format characters, and well-formed Unicode (no lone surrogates, which D1 would store as invalid
 * UTF-8), so that a stored id can always be read back, sent in a URL and deleted.
 */
function opaqueId(max: number) {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(
      new UnicodePattern("^[^\\p{Cc}\\p{Cf}\\s]+$"),
      "must be printable text without whitespace or control characters",
    )
    .refine((s) => !/\p{Cs}/u.test(s), "must be well-formed Unicode (no lone surrogates)");
}

/** Catalogue item id (e.g. an ASIN). Opaque, case-sensitive. */
export const ItemId = opaqueId(256);
/** User id. Opaque, case-sensitive. */
export const UserId = opaqueId(256);
/** Event id: the idempotency key of an event. */
export const EventId = opaqueId(128);
/** Version label of a published artifact set, e.g. `rpg-beauty-20261124T1830Z`. */
export const ArtifactVersion = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-' only");

/**
 * A positive integer query parameter, decimal digits only (`0x10`, `1e2`, ` 5` are refused): the
 * OpenAPI document shows it as a bounded integer, since it is the integer schema behind the parse.
 */
export function queryInt(max: number) {
  return z.preprocess((v, ctx) => {
    if (typeof v === "string" && /^[0-9]{1,9}$/.test(v)) return Number(v);
    ctx.addIssue({ code: "custom", message: "must be a decimal integer", input: v });
    return z.NEVER;
  }, z.int().min(1).max(max));
}

/** A boolean query parameter: `true`/`false` (or `1`/`0`), shown in OpenAPI as that enum. */
export const QueryBool = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");

export const ModelKind = z.enum(["popularity", "content-knn", "sasrec", "esasrec", "rpg", "diffgrm"]);
export type ModelKind = z.infer<typeof ModelKind>;

export const ScoredItem = define(
  "ScoredItem",
  "A recommended item with its model score (higher is better; scales differ per model).",
  z.strictObject({ item_id: ItemId, score: z.number() }),
);
export type ScoredItem = z.infer<typeof ScoredItem>;
