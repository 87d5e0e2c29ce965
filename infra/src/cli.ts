#!/usr/bin/env -S npx tsx
/**
 * genrec — the project's CLI. `genrec quickstart` (npm start) runs the main job on the embedded
 * default; the other commands drive a running edge, local or deployed. Every argument is checked
 * (args.ts) before any request.
 */
import { parseArgs } from "node:util";
import type { Experiment } from "@genrec/shared";
import {
  ArgumentError,
  edgeUrlArg,
  experimentArg,
  jobArg,
  PRESETS,
  portArg,
  recommendArgs,
  remoteArgs,
  trainArgs,
  versionArg,
} from "./args.ts";
import { importDir, importSample } from "./commands/data.ts";
import { runDataCommand } from "./commands/data-py.ts";
import { deploy } from "./commands/deploy.ts";
import { experimentStartArgs, metricsLines, metricsQuery, promoteArg } from "./commands/experiments.ts";
import { gpu } from "./commands/gpu/index.ts";
import { publishDir } from "./commands/models.ts";
import { fallbackNotes } from "./commands/recommend.ts";
import { serve } from "./commands/serve.ts";
import { reportJob, startTraining, waitForJob } from "./commands/train.ts";
import { resolveEdge, STATE_DIR } from "./config.ts";
import { type EdgeClient, edgeClient } from "./edge-client.ts";
import { CLI, command, need, USAGE, UsageError } from "./usage.ts";

const say = (line: string) => console.log(line);

const OPTIONS = {
  help: { type: "boolean", short: "h", default: false },
  once: { type: "boolean", default: false },
  fresh: { type: "boolean", default: false },
  wait: { type: "boolean", default: false },
  sample: { type: "boolean", default: false },
  dir: { type: "string" },
  "dry-run": { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  edge: { type: "string" },
  model: { type: "string", default: "rpg" },
  preset: { type: "string" },
  user: { type: "string" },
  history: { type: "string" },
  n: { type: "string", default: "10" },
  artifact: { type: "string" },
  fallback: { type: "string" },
  "deadline-ms": { type: "string" },
  "sid-artifact": { type: "string" },
  arm: { type: "string", multiple: true },
  experiment: { type: "string" },
  since: { type: "string" },
  beam: { type: "string" },
  "edge-port": { type: "string", default: "8787" },
  "gpu-port": { type: "string", default: "8788" },
  dataset: { type: "string" },
  set: { type: "string", multiple: true },
  sids: { type: "string" },
  tag: { type: "string" },
  follow: { type: "boolean", default: false },
  force: { type: "boolean", default: false },
  every: { type: "string", default: "30" },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function main(argv: string[]): Promise<number> {
  // `data` hands every argument to the Python command group, which checks and documents them
  if (argv[0] === "data") return runDataCommand(argv.slice(1));
  const { values, positionals } = parse(argv);
  if (values.help) {
    say(USAGE);
    return 0;
  }
  const [name, arg, arg2] = positionals;
  const cmd = command(name);
  const edgeUrl = values.edge === undefined ? undefined : edgeUrlArg(values.edge);
  const edge = () => edgeClient(resolveEdge(edgeUrl));

  switch (cmd) {
    case "up":
    case "quickstart": {
      const stack = {
        edgePort: portArg("--edge-port", values["edge-port"]),
        gpuPort: portArg("--gpu-port", values["gpu-port"]),
        ...(values.fresh ? {} : { stateDir: STATE_DIR }),
        log: values.verbose ? say : () => {},
      };
      return serve({ quickstart: cmd === "quickstart", once: values.once, stack }, say);
    }
    case "import":
      if (values.dir !== undefined) {
        await importDir(edge(), values.dir, say);
        return 0;
      }
      need(
        cmd,
        values.sample || undefined,
        "--sample or --dir DIR (a dataset written by `genrec data import`)",
      );
      await importSample(edge(), say);
      return 0;
    case "data":
      return runDataCommand(argv.slice(argv.indexOf("data") + 1)); // options written before `data`
    case "train": {
      const preset = need(cmd, values.preset, `--preset ${PRESETS.join("|")}`);
      const req = trainArgs({ model: values.model, preset });
      const client = edge();
      const job = await startTraining(client, req, say);
      if (values.wait) return reportJob(await waitForJob(client, job.job_id, say), say) ? 0 : 1;
      say(`follow it: ${CLI} status ${job.job_id} --wait   (stop it: ${CLI} cancel ${job.job_id})`);
      return 0;
    }
    case "status": {
      const id = jobArg(need(cmd, arg, "JOB"));
      const job = values.wait ? await waitForJob(edge(), id, say) : await edge().job(id);
      say(JSON.stringify(job, null, 2));
      return 0;
    }
    case "cancel": {
      const id = jobArg(need(cmd, arg, "JOB"));
      const job = await edge().cancel(id);
      say(`job ${job.job_id}: ${job.state}`);
      return 0;
    }
    case "publish":
      await publishDir(edge(), need(cmd, arg, "DIR"), say);
      return 0;
    case "register-remote": {
      const version = versionArg(need(cmd, arg, "VERSION"));
      const manifest = remoteArgs({ ...values, artifact: need(cmd, values.artifact, "--artifact NAME") });
      say(JSON.stringify(await edge().registerRemote(version, manifest)));
      return 0;
    }
    case "activate": {
      const version = versionArg(need(cmd, arg, "VERSION"));
      say(JSON.stringify(await edge().activate(version)));
      return 0;
    }
    case "rollback":
      say(JSON.stringify(await edge().rollback()));
      return 0;
    case "models": {
      const { models } = await edge().models();
      if (models.length === 0) say(`no published versions yet (${CLI} train --preset tiny --wait)`);
      for (const m of models) say(`${m.live ? "*" : " "} ${m.version}  ${m.model}  ${m.created_at}`);
      return 0;
    }
    case "recommend": {
      const args = recommendArgs(values);
      if (!("user" in args) && args.history.length === 0) need(cmd, undefined, "--user U or --history A,B");
      const rec =
        "user" in args
          ? await edge().recommendForUser(args.user, args.n)
          : await edge().recommendForSession(args.history, args.n);
      say(JSON.stringify(rec, null, 2));
      for (const note of fallbackNotes(rec)) console.error(note);
      return 0;
    }
    case "experiment":
      return experiment(edge, arg, arg2, values.arm ?? []);
    case "metrics":
      for (const line of metricsLines(await edge().metrics(metricsQuery(values)))) say(line);
      return 0;
    case "deploy":
      await deploy({ dryRun: values["dry-run"] }, say);
      return 0;
    case "gpu":
      return gpu(arg, positionals[2], values, say);
  }
}

/** `experiment start|stop|promote|list`: every argument checked before a request. */
async function experiment(
  edge: () => EdgeClient,
  action: string | undefined,
  id: string | undefined,
  arms: string[],
): Promise<number> {
  const cmd = "experiment";
  const show = (e: Experiment) =>
    say(
      `${e.id}  ${e.status}${e.winner ? ` (${e.winner})` : ""}  ${e.arms.map((a) => `${a.name}=${a.version}:${a.share}`).join(" ")}`,
    );
  switch (need(cmd, action, "start|stop|promote|list")) {
    case "list": {
      const { experiments } = await edge().experiments();
      if (experiments.length === 0) say("no experiments yet");
      experiments.forEach(show);
      return 0;
    }
    case "start":
      show(await edge().startExperiment(experimentStartArgs(need(cmd, id, "ID"), arms)));
      return 0;
    case "stop":
      show(await edge().stopExperiment(experimentArg(need(cmd, id, "ID"))));
      return 0;
    case "promote": {
      const arm = promoteArg(need(cmd, arms.length === 1 ? arms[0] : undefined, "one --arm NAME"));
      show(await edge().promoteExperiment(experimentArg(need(cmd, id, "ID")), arm));
      return 0;
    }
    default:
      throw new UsageError(`experiment needs start|stop|promote|list, not "${action}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof ArgumentError;
    console.error(`genrec: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) console.error(`run \`${CLI} --help\` for the commands and their options`);
    process.exitCode = usage ? 2 : 1;
  },
);
