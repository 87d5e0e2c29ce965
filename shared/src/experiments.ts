import { z } from "zod";
import { EventType } from "./catalog.ts";
import { ArtifactVersion } from "./common.ts";
import { define } from "./registry.ts";

/*
 * Online experiments (traffic split between versions) and the feedback metrics per version and arm.
 */

/** The version name of the popularity ranking that answers while no model is live; an arm may use it. */
export const POPULARITY_VERSION = "builtin-popularity";

const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "letters, digits, '_' and '-' only");

export const ExperimentId = Slug;
export const ArmName = Slug.max(32);

export const ExperimentArm = define(
  "ExperimentArm",
  "One arm of an experiment: the version that serves it and its share of the traffic.",
  z.strictObject({ name: ArmName, version: ArtifactVersion, share: z.number().gt(0).max(1) }),
);
export type ExperimentArm = z.infer<typeof ExperimentArm>;

export const ExperimentStart = define(
  "ExperimentStart",
  "Start an experiment: two to ten arms with distinct names and versions whose shares sum to 1. Only " +
    `one experiment runs at a time; a version is a published one or \`${POPULARITY_VERSION}\`.`,
  z
    .strictObject({ id: ExperimentId, arms: z.array(ExperimentArm).min(2).max(10) })
    .superRefine(({ arms }, ctx) => {
      const sum = arms.reduce((s, a) => s + a.share, 0);
      if (Math.abs(sum - 1) > 1e-6)
        ctx.addIssue({
          code: "custom",
          path: ["arms"],
          message: `shares must sum to 1 (they sum to ${sum})`,
        });
      arms.forEach((arm, i) => {
        const first = (key: "name" | "version") => arms.findIndex((a) => a[key] === arm[key]) === i;
        for (const key of ["name", "version"] as const)
          if (!first(key))
            ctx.addIssue({ code: "custom", path: ["arms", i, key], message: `repeats another arm's ${key}` });
      });
    }),
);
export type ExperimentStart = z.infer<typeof ExperimentStart>;

export const ExperimentStatus = z.enum(["running", "stopped", "promoted"]);

export const Experiment = define(
  "Experiment",
  "An experiment as stored: `winner` names the promoted arm, whose version went live when it ended.",
  z.strictObject({
    id: ExperimentId,
    status: ExperimentStatus,
    arms: z.array(ExperimentArm),
    started_at: z.iso.datetime({ offset: true }),
    ended_at: z.iso.datetime({ offset: true }).nullable(),
    winner: ArmName.nullable(),
  }),
);
export type Experiment = z.infer<typeof Experiment>;

export const ExperimentList = define(
  "ExperimentList",
  "Every experiment, newest first.",
  z.strictObject({ experiments: z.array(Experiment) }),
);

export const PromoteRequest = define(
  "PromoteRequest",
  "The arm whose version goes live as the experiment ends.",
  z.strictObject({ arm: ArmName }),
);

/** `{experiment_id}` path parameter. */
export const ExperimentParam = z.strictObject({ experiment_id: ExperimentId });

/**
 * Which arm served an answer: inside an experiment its id and arm name; outside one `experiment_id`
 * is null and `name` is `live` (the live version) or `pinned` (the request named `model_version`).
 */
export const ServedArm = define(
  "ServedArm",
  "Which experiment arm served this answer (`experiment_id` null: no experiment; arm `live` or `pinned`).",
  z.strictObject({ experiment_id: ExperimentId.nullable(), name: z.string() }),
);
export type ServedArm = z.infer<typeof ServedArm>;

/** Query of `GET /v1/metrics`: answers served in [from, to) (default: the last 7 days). */
export const MetricsQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  experiment_id: ExperimentId.optional(),
});

export const Proportion = define(
  "Proportion",
  "A share with its 95% Wilson score interval.",
  z.strictObject({ value: z.number(), low: z.number(), high: z.number() }),
);
export type Proportion = z.infer<typeof Proportion>;

export const ArmMetrics = define(
  "ArmMetrics",
  "Answers served by one version in one arm, and the events attributed to them (by their " +
    "recommendation_id). click_through: answers with an attributed click; hit_rate: answers with an " +
    "attributed event on one of the items they recommended. `fallbacks`: answers another model gave.",
  z.strictObject({
    experiment_id: ExperimentId.nullable(),
    arm: z.string(),
    version: z.string(),
    served: z.int().min(0),
    fallbacks: z.int().min(0),
    events: z.partialRecord(EventType, z.int().min(0)),
    click_through: Proportion,
    hit_rate: Proportion,
  }),
);
export type ArmMetrics = z.infer<typeof ArmMetrics>;

export const MetricsReport = define(
  "MetricsReport",
  "Online metrics per version and arm over a time window of serving.",
  z.strictObject({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    arms: z.array(ArmMetrics),
  }),
);
export type MetricsReport = z.infer<typeof MetricsReport>;
