import { join } from "node:path";
import { REPO_ROOT } from "../local-stack.ts";
import { run, wranglerCommand } from "../processes.ts";

/**
 * Deploys both halves: the edge with wrangler (remote D1 migrations first) and the GPU worker with
 * `modal deploy`. `dryRun` bundles the Worker without uploading and only imports the Modal app.
 */
export async function deploy({ dryRun }: { dryRun: boolean }, say: (line: string) => void): Promise<void> {
  const [node, wrangler] = wranglerCommand();
  const config = ["-c", join(REPO_ROOT, "infra/wrangler.jsonc")];
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false" };
  if (dryRun) {
    const out = await run(
      node,
      [...wrangler, "deploy", "--dry-run", "--outdir", join(REPO_ROOT, "edge/dist"), ...config],
      { cwd: REPO_ROOT, env },
    );
    say(out.split("\n").find((l) => l.includes("Total Upload")) ?? "bundled");
    await run("uv", ["run", "--frozen", "python", "-c", "import modal_app; print(modal_app.app.name)"], {
      cwd: join(REPO_ROOT, "gpu-worker"),
    });
    say("modal app imports and defines its functions (not deployed: --dry-run)");
    return;
  }
  say("applying D1 migrations (remote)");
  await run(node, [...wrangler, "d1", "migrations", "apply", "genrec", "--remote", ...config], {
    cwd: REPO_ROOT,
    env,
  });
  say("deploying the edge");
  say(await run(node, [...wrangler, "deploy", ...config], { cwd: REPO_ROOT, env }));
  say("deploying the GPU worker to Modal");
  say(
    await run("uv", ["run", "--frozen", "modal", "deploy", "modal_app.py"], {
      cwd: join(REPO_ROOT, "gpu-worker"),
    }),
  );
}
