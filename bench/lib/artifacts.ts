import { existsSync, readdirSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { REPO } from "./result.ts";

/**
 * Artifact sets the benchmarks need but never build (training takes minutes to hours): when one is
 * missing, the run stops before starting the stack and prints the gpu-worker commands that create
 * it, following the names those commands give (gpu-worker/src/genrec/{rpg,diffgrm}/README.md).
 */

/** Where the GPU worker reads serving artifacts: $GENREC_ARTIFACTS_DIR, else gpu-worker/var/artifacts. */
export const ARTIFACTS_ROOT = resolve(
  process.env.GENREC_ARTIFACTS_DIR || join(REPO, "gpu-worker/var/artifacts"),
);

/** The SID build, unless its set is already there. */
const sidBuild = (set: string, args: string) =>
  existsSync(join(ARTIFACTS_ROOT, set, "manifest.json")) ? [] : [`uv run python -m genrec.sid build ${args}`];

const DIFFGRM_ABLATIONS = ["no-ocn", "random-mask", "uniform-weight", "no-cpd"];

/** The commands that write `diffgrm-<dataset>-<preset>[-<ablation>][-<tag>]`, or null for another name. */
export function diffgrmCommands(name: string): string[] | null {
  const m = /^diffgrm-([a-z0-9_]+)-(tiny|quick|cpu|full)(?:-(.+))?$/.exec(name);
  if (!m) return null;
  const [, dataset, preset, suffix = ""] = m;
  const ablation = DIFFGRM_ABLATIONS.find((a) => suffix === a || suffix.startsWith(`${a}-`));
  const tag = ablation ? suffix.slice(ablation.length + 1) : suffix;
  return [
    ...sidBuild(`${dataset}-pse-m4`, `--dataset ${dataset} --scheme pse --m 4`),
    `uv run python -m genrec.diffgrm.train --dataset ${dataset} --preset ${preset} --sids var/artifacts/${dataset}-pse-m4` +
      (ablation ? ` --ablation ${ablation}` : "") +
      (tag ? ` --tag ${tag}` : ""),
  ];
}

/** The commands that write `rpg-<dataset>-<preset>[-<tag>]` (SIDs, training, ONNX export), or null. */
export function rpgCommands(name: string): string[] | null {
  const m = /^rpg-([a-z0-9_]+)-(tiny|quick|cpu|full)(?:-(.+))?$/.exec(name);
  if (!m) return null;
  const [, dataset, preset, tag = ""] = m;
  const digits = dataset === "beauty" ? 32 : 16; // as in gpu-worker/src/genrec/rpg/README.md
  const run = [dataset, "rpg", preset, tag].filter(Boolean).join("-");
  return [
    ...sidBuild(`${dataset}-rpg-m${digits}`, `--dataset ${dataset} --scheme rpg --m ${digits}`),
    `uv run python -m genrec.rpg.train --dataset ${dataset} --preset ${preset} --sids var/artifacts/${dataset}-rpg-m${digits}` +
      (tag ? ` --tag ${tag}` : ""),
    `uv run python -m genrec.rpg.export --checkpoint var/runs/${run} --out var/artifacts/${name}`,
  ];
}

function missing(
  what: string,
  where: string,
  commands: string[] | null,
  readme: string,
  option: string,
  prefix: string,
): never {
  const present = existsSync(ARTIFACTS_ROOT)
    ? readdirSync(ARTIFACTS_ROOT).filter(
        (d) => d.startsWith(prefix) && existsSync(join(ARTIFACTS_ROOT, d, "manifest.json")),
      )
    : [];
  const lines = [
    `${what} is missing: no ${where}`,
    commands
      ? `Create it (${readme}):\n  cd gpu-worker\n${commands.map((c) => `  ${c}`).join("\n")}`
      : `See ${readme} for the commands that create it.`,
    `Or pass ${option}. ${prefix}* sets under ${ARTIFACTS_ROOT}: ${present.join(", ") || "none"}.`,
  ];
  console.error(lines.join("\n"));
  process.exit(2);
}

/** Stops the run, saying how to create it, unless the worker can serve DiffGRM artifact `name`. */
export function requireDiffgrmArtifact(name: string, option = "--artifact NAME"): void {
  const dir = join(ARTIFACTS_ROOT, name);
  if (existsSync(join(dir, "manifest.json"))) return;
  missing(
    `DiffGRM artifact '${name}'`,
    `${dir}/manifest.json ($GENREC_ARTIFACTS_DIR, else gpu-worker/var/artifacts)`,
    diffgrmCommands(name),
    "gpu-worker/src/genrec/diffgrm/README.md",
    option,
    "diffgrm-",
  );
}

/** Stops the run, saying how to create it, unless `dir` holds an exported RPG artifact set. */
export function requireRpgArtifacts(dir: string, option = "--artifacts DIR"): void {
  if (existsSync(join(dir, "manifest.json"))) return;
  missing(
    `RPG artifact set '${basename(dir)}'`,
    `${dir}/manifest.json`,
    rpgCommands(basename(dir)),
    "gpu-worker/src/genrec/rpg/README.md",
    option,
    "rpg-",
  );
}
