import { PRESETS } from "./args.ts";

/** The commands of `genrec`, their synopsis and help: the one source of the usage text. */
const COMMANDS = {
  quickstart: [
    "quickstart [--once] [--fresh]",
    "start the local stack, import the sample, train a tiny RPG model through the API, activate it,\n" +
      "print recommendations; serve until Ctrl-C (--once: stop after printing)",
  ],
  up: ["up [--once] [--fresh]", "start the local stack (GPU worker on CPU + wrangler dev) and serve"],
  import: [
    "import --sample | --dir DIR",
    "import the bundled sample, or a canonical dataset folder written by `data import`, through the API",
  ],
  data: [
    "data import|validate|stats|split DATASET [options]",
    "the dataset commands of the GPU worker (python -m genrec.data; `data -h` lists the options):\n" +
      "import a folder of events and items (shared Amazon, raw Amazon, JSONL/CSV), check it, describe it",
  ],
  train: [
    `train --preset ${PRESETS.join("|")} [--model rpg] [--wait]`,
    "start training on the edge's stored data (tiny: seconds on CPU; quick: ~20-30 min)",
  ],
  status: ["status JOB [--wait]", "a job's state, progress and log tail"],
  cancel: ["cancel JOB", "cancel a queued or running training job"],
  publish: ["publish DIR", "upload an exported artifact directory and register it (not live)"],
  "register-remote": [
    "register-remote VERSION --artifact NAME [--fallback V] [--deadline-ms 1500] [--beam B] [--sid-artifact S]",
    "register a model the GPU worker serves (DiffGRM) after a checked call; --sid-artifact: the SID\n" +
      "artifact its SIDs came from, so items added later are served (cold start)",
  ],
  activate: ["activate VERSION", "make a registered version live (the edge validates it first)"],
  rollback: ["rollback", "make the previously live version live again"],
  models: ["models", "list published versions"],
  recommend: [
    "recommend (--user U | --history A,B,C) [--n 10]",
    "recommendations, with the fallback reason if any",
  ],
  experiment: [
    "experiment start ID --arm NAME=VERSION:SHARE --arm ... | stop ID | promote ID --arm NAME | list",
    "split traffic between versions by a stable hash of the user (shares sum to 1; a version may be\n" +
      "builtin-popularity); stop it, or end it with one arm's version live (promote); list them",
  ],
  metrics: [
    "metrics [--experiment ID] [--since 7d]",
    "served answers, attributed events, click-through and hit rate per version and arm (95% intervals)",
  ],
  deploy: ["deploy [--dry-run]", "wrangler deploy (with remote D1 migrations) and modal deploy"],
  gpu: [
    "gpu run --model M --dataset D --preset P [--set K=V]... [--sids DIR] [--tag T] [--follow]\n" +
      "  gpu status|follow|cancel|fetch RUN [--every 30] [--force]   gpu list",
    "train and test on the deployed Modal app's GPU (the trainers' command line; token from\n" +
      "MODAL_TOKEN_ID / MODAL_TOKEN_SECRET or ~/.modal.toml); follow prints progress every --every\n" +
      "seconds, then fetches the result into bench/results/<kind>/ and the checkpoint into\n" +
      "gpu-worker/var/gpu/<run>/ (--force replaces a result file that differs)",
  ],
} as const satisfies Record<string, readonly [string, string]>;

export type Command = keyof typeof COMMANDS;

/** How the README and the CLI's hints spell a command. */
export const CLI = "npm run genrec --";

export const USAGE = `usage: ${CLI} <command> [options]   (-h, --help: this text)

${Object.values(COMMANDS)
  .map(([synopsis, help]) => `  ${synopsis}\n${help.replace(/^/gm, "      ")}`)
  .join("\n")}

common options: --edge URL (else GENREC_EDGE_URL) with keys from GENREC_ADMIN_KEY / GENREC_CLIENT_KEY,
else the local stack recorded in .genrec/local.json by \`up\`; --verbose prints the servers' logs.
up and quickstart: --edge-port / --gpu-port (default 8787 / 8788; 0 picks a free port); state persists
in .genrec/state, --fresh starts from an empty one that is removed on stop.`;

/** A command line that names no known command or lacks an argument: exit status 2, with a hint. */
export class UsageError extends Error {
  override name = "UsageError";
}

const isCommand = (name: string): name is Command => Object.hasOwn(COMMANDS, name);

export function command(name: string | undefined): Command {
  if (name === undefined) throw new UsageError("no command given");
  if (!isCommand(name)) throw new UsageError(`unknown command "${name}"`);
  return name;
}

/** A required positional argument or option, or a UsageError showing the command's synopsis. */
export function need<T>(cmd: Command, value: T | undefined, what: string): T {
  if (value === undefined || value === "") {
    throw new UsageError(`${cmd} needs ${what} (usage: ${CLI} ${COMMANDS[cmd][0]})`);
  }
  return value;
}
