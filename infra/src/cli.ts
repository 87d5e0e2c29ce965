#!/usr/bin/env -S npx tsx
/**
 * genrec — the project's CLI. `genrec quickstart` (npm start) runs the main job on the embedded
 * default; the other commands drive a running edge, local or deployed.
 */
import { parseArgs } from "node:util";
import { jobArg, portArg, recommendArgs, remoteArgs, trainArgs, versionArg } from "./args.ts";
import { importSample } from "./commands/data.ts";
import { deploy } from "./commands/deploy.ts";
import { publishDir } from "./commands/models.ts";
import { quickstart } from "./commands/quickstart.ts";
import { startTraining, waitForJob } from "./commands/train.ts";
import { up } from "./commands/up.ts";
import { resolveEdge } from "./config.ts";
import { edgeClient } from "./edge-client.ts";

const USAGE = `usage: genrec <command> [options]

  quickstart [--once]        start the local stack, import the sample, train a tiny RPG model through
                             the API, activate it, print recommendations; serve until Ctrl-C
  up [--once]                start the local stack (GPU worker on CPU + wrangler dev) and serve
  import --sample            import the bundled sample (items + events) through the API
  train [--model rpg] [--preset tiny|quick|cpu|full] [--wait]
                             start training on the edge's stored data (the edge snapshots it)
  status JOB [--wait]        a job's state, progress and log tail
  publish DIR                upload an exported artifact directory and register it (not live)
  register-remote VERSION --artifact NAME [--fallback V] [--deadline-ms 1500] [--beam B]
                             register a model the GPU worker serves (DiffGRM) after a checked call
  activate VERSION           make a registered version live (the edge validates it first)
  rollback                   make the previously live version live again
  models                     list published versions
  recommend (--user U | --history A,B,C) [--n 10]
  deploy [--dry-run]         wrangler deploy (with remote D1 migrations) and modal deploy

common options: --edge URL (else GENREC_EDGE_URL, else the local stack's); keys from GENREC_ADMIN_KEY /
GENREC_CLIENT_KEY, else .genrec/local.json written by \`up\`; --edge-port / --gpu-port for up.`;

const say = (line: string) => console.log(line);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      once: { type: "boolean", default: false },
      wait: { type: "boolean", default: false },
      sample: { type: "boolean", default: false },
      "dry-run": { type: "boolean", default: false },
      verbose: { type: "boolean", default: false },
      edge: { type: "string" },
      model: { type: "string", default: "rpg" },
      preset: { type: "string", default: "quick" },
      user: { type: "string" },
      history: { type: "string" },
      n: { type: "string", default: "10" },
      artifact: { type: "string" },
      fallback: { type: "string" },
      "deadline-ms": { type: "string" },
      beam: { type: "string" },
      "edge-port": { type: "string", default: "8787" },
      "gpu-port": { type: "string", default: "8788" },
      help: { type: "boolean", default: false },
    },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    say(USAGE);
    return command || values.help ? 0 : 2;
  }
  const edge = () => edgeClient(resolveEdge(values.edge));

  switch (command) {
    case "up":
    case "quickstart": {
      const stack = await up(
        {
          edgePort: portArg("--edge-port", values["edge-port"]),
          gpuPort: portArg("--gpu-port", values["gpu-port"]),
          log: values.verbose ? say : () => {},
        },
        say,
      );
      try {
        if (command === "quickstart") await quickstart(stack, edge(), say);
        if (!values.once) {
          say("serving; Ctrl-C to stop");
          await new Promise<void>((resolve) => {
            process.once("SIGINT", resolve);
            process.once("SIGTERM", resolve);
          });
        }
      } finally {
        await stack.stop();
      }
      return 0;
    }
    case "import":
      if (!values.sample)
        throw new Error("import needs --sample (other formats: POST /v1/items/batch and /v1/events)");
      await importSample(edge(), say);
      return 0;
    case "train": {
      const req = trainArgs(values);
      const job = await startTraining(edge(), req, say);
      if (values.wait) return (await waitForJob(edge(), job.job_id, say)).state === "succeeded" ? 0 : 1;
      return 0;
    }
    case "status": {
      if (!arg) throw new Error("status needs a job id");
      const id = jobArg(arg);
      const job = values.wait ? await waitForJob(edge(), id, say) : await edge().job(id);
      say(JSON.stringify(job, null, 2));
      return 0;
    }
    case "publish":
      if (!arg) throw new Error("publish needs an artifact directory");
      await publishDir(edge(), arg, say);
      return 0;
    case "register-remote": {
      if (!arg || !values.artifact) throw new Error("register-remote needs VERSION and --artifact NAME");
      const [version, manifest] = [versionArg(arg), remoteArgs({ ...values, artifact: values.artifact })];
      say(JSON.stringify(await edge().registerRemote(version, manifest)));
      return 0;
    }
    case "activate": {
      if (!arg) throw new Error("activate needs a version");
      const version = versionArg(arg);
      say(JSON.stringify(await edge().activate(version)));
      return 0;
    }
    case "rollback":
      say(JSON.stringify(await edge().rollback()));
      return 0;
    case "models":
      for (const m of (await edge().models()).models)
        say(`${m.live ? "*" : " "} ${m.version}  ${m.model}  ${m.created_at}`);
      return 0;
    case "recommend": {
      const args = recommendArgs(values);
      const rec =
        "user" in args
          ? await edge().recommendForUser(args.user, args.n)
          : await edge().recommendForSession(args.history, args.n);
      say(JSON.stringify(rec, null, 2));
      return 0;
    }
    case "deploy":
      await deploy({ dryRun: values["dry-run"] }, say);
      return 0;
    default:
      say(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`genrec: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
