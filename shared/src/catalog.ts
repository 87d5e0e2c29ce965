import { z } from "zod";
import { EventId, ItemId, UserId } from "./common.ts";
import { define } from "./registry.ts";

const AttributeValue = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const Item = define(
  "Item",
  "A catalogue item. Text fields feed the semantic-ID embedding; all but `id` are optional.",
  z.strictObject({
    id: ItemId,
    title: z.string().max(2000).optional(),
    brand: z.string().max(500).optional(),
    categories: z.array(z.string().min(1).max(500)).max(64).optional(),
    description: z.string().max(50_000).optional(),
    price: z.number().nonnegative().optional(),
    attributes: z
      .record(z.string().min(1).max(128), AttributeValue)
      .refine((a) => Object.keys(a).length <= 64, "at most 64 attributes")
      .optional(),
  }),
);
export type Item = z.infer<typeof Item>;

export const EventType = z.enum(["view", "click", "add_to_cart", "purchase", "rating", "review"]);

export const Event = define(
  "Event",
  "One user-item interaction. `event_id` is the idempotency key: a replay stores nothing twice, and a " +
    "reuse with a different payload is refused as a conflict.",
  z.strictObject({
    event_id: EventId,
    user_id: UserId,
    item_id: ItemId,
    timestamp: z.iso.datetime({ offset: true }),
    type: EventType.default("view"),
    recommendation_id: EventId.optional().describe(
      "the answer that led to this event (its `recommendation_id`): the event counts toward that answer's arm",
    ),
  }),
);
export type Event = z.infer<typeof Event>;
