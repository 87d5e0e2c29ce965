import { z } from "zod";
import { define } from "./registry.ts";

export const Liveness = define(
  "Liveness",
  "The edge process answers. Touches no binding.",
  z.strictObject({ status: z.literal("ok"), version: z.string() }),
);
export type Liveness = z.infer<typeof Liveness>;

export const Readiness = define(
  "Readiness",
  "Whether the edge can serve: its storage bindings answer, and which model version is live.",
  z.strictObject({
    status: z.enum(["ready", "degraded"]),
    version: z.string(),
    live_model: z.string().nullable(),
    checks: z.strictObject({ d1: z.boolean(), r2: z.boolean() }),
  }),
);
export type Readiness = z.infer<typeof Readiness>;
