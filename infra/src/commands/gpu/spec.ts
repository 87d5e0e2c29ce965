import { ModelKind } from "@genrec/shared";
import { z } from "zod";
import { ArgumentError, PRESETS, parseArg } from "../../args.ts";
import { type GpuRunSpec, newRunId } from "./runs.ts";

/*
 * `gpu run` options -> the experiment function's spec (genrec.experiments.ExperimentSpec, which
 * checks it again on Modal): the trainers' own flags, --dataset --preset --set --sids --tag.
 */

const Dataset = z
  .string()
  .regex(
    /^[A-Za-z0-9_./-]{1,200}$/,
    "a dataset name (beauty, sports, toys, sample) or a folder on the Volume",
  );
const Override = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*=.+$/, "SECTION.FIELD=VALUE, e.g. train.epochs=5");
const Tag = z.string().regex(/^[a-z0-9-]{1,32}$/, "lowercase letters, digits and '-'");
const NEEDS_SIDS: readonly string[] = ["rpg", "diffgrm"];

export interface GpuRunValues {
  model: string;
  dataset?: string | undefined;
  preset?: string | undefined;
  set?: string[] | undefined;
  sids?: string | undefined;
  tag?: string | undefined;
}

export function gpuRunSpec(values: GpuRunValues, now = new Date()): GpuRunSpec {
  const model = parseArg("--model", ModelKind, values.model);
  const dataset = parseArg("--dataset", Dataset, values.dataset);
  const preset = parseArg("--preset", z.enum(PRESETS), values.preset);
  const sets = (values.set ?? []).map((item) => parseArg("--set", Override, item));
  const tag = values.tag === undefined ? "" : parseArg("--tag", Tag, values.tag);
  if (NEEDS_SIDS.includes(model) && !values.sids)
    throw new ArgumentError(
      `--sids: ${model} needs a SID directory on the Volume (e.g. /vol/sids/...) or random:M`,
    );
  const sids = values.sids ? parseArg("--sids", z.string().max(300), values.sids) : null;
  return { run_id: newRunId({ dataset, model, preset, tag }, now), model, dataset, preset, sets, sids, tag };
}
