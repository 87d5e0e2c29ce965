/**
 * The edge Worker in workerd without `wrangler dev`: the bundle `wrangler deploy --dry-run` writes,
 * run by Miniflare (the library wrangler dev itself drives) with in-memory D1 and R2, migrations
 * applied with wrangler's own SQL splitter. Requests go straight to workerd's socket; wrangler dev
 * puts its proxy worker in front of the same runtime. Also the isolate's V8 heap over the inspector.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run, wranglerCommand } from "@genrec/infra/processes";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_splitSqlQuery } from "wrangler";
import { REPO } from "./result.ts";

const WRANGLER_CONFIG = join(REPO, "infra/wrangler.jsonc");
const NAME = "genrec-edge";

/** Bundles the Worker as deploy would; returns the folder and wrangler's upload size. */
export async function bundleWorker(outdir: string) {
  const [node, wrangler] = wranglerCommand();
  const out = await run(
    node,
    [...wrangler, "deploy", "--dry-run", "--outdir", outdir, "-c", WRANGLER_CONFIG],
    {
      cwd: REPO,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    },
  );
  const m = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(out);
  return { dir: outdir, size: m ? { raw_kib: Number(m[1]), gzip_kib: Number(m[2]) } : null };
}

/** workerd serving the bundle in `dir` on 127.0.0.1 (ephemeral ports), migrated and empty. */
export async function startWorkerd(dir: string, vars: Record<string, string>) {
  const wasm = readdirSync(dir).filter((f) => f.endsWith(".wasm"));
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      name: NAME,
      modulesRoot: dir,
      modules: [
        { type: "ESModule", path: join(dir, "index.js") },
        ...wasm.map((f) => ({ type: "CompiledWasm" as const, path: join(dir, f) })),
      ],
      compatibilityDate: "2026-11-01",
      compatibilityFlags: ["nodejs_compat"],
      d1Databases: { DB: "genrec" },
      r2Buckets: { ARTIFACTS: "genrec-artifacts" },
      bindings: vars,
      host: "127.0.0.1",
      port: 0,
      inspectorPort: 0,
    }),
  );
  const url = (await mf.ready).toString().replace(/\/$/, "");
  const db = await mf.getD1Database("DB");
  const migrations = join(REPO, "infra/migrations");
  for (const file of readdirSync(migrations).sort()) {
    const statements = unstable_splitSqlQuery(readFileSync(join(migrations, file), "utf8"));
    await db.batch(statements.map((sql) => db.prepare(sql)));
  }
  const inspector = new URL(`/core:user:${NAME}`, await mf.getInspectorURL()).toString();
  const poke = () =>
    fetch(`${url}/health`).then(
      (r) => r.text(),
      () => "",
    );
  return {
    url,
    mf,
    heap: async () => ({ ...(await heapUsage(inspector, poke)), rss: workerdRss() }),
    stop: () => mf.dispose(),
  };
}

/**
 * Resident bytes of the workerd processes this process started: wasm memory (onnxruntime-web's
 * heap) is not in V8's counts, so the isolate's whole footprint shows only here.
 */
function workerdRss(): number {
  const children = execFileSync("ps", ["--ppid", String(process.pid), "-o", "rss=,comm="], {
    encoding: "utf8",
  });
  return children
    .split("\n")
    .filter((row) => row.trim().endsWith("workerd"))
    .reduce((sum, row) => sum + Number(row.trim().split(/\s+/)[0]) * 1024, 0);
}

/**
 * Runtime.getHeapUsage of the isolate (bytes: V8's heap, and backingStorageSize for ArrayBuffers,
 * wasm memory included), after a full GC. workerd runs HeapProfiler.collectGarbage when the
 * isolate next handles a request, so `poke` sends one (GET /health) every 100 ms until it answers.
 */
async function heapUsage(inspector: string, poke: () => Promise<unknown>): Promise<Record<string, number>> {
  const ws = new WebSocket(inspector);
  await new Promise((ok, fail) => {
    ws.addEventListener("open", ok);
    ws.addEventListener("error", fail);
  });
  let id = 0;
  const call = (method: string) =>
    new Promise<Record<string, number>>((ok) => {
      const mine = ++id;
      const pump = setInterval(() => void poke(), 100);
      ws.addEventListener("message", (ev) => {
        const msg = JSON.parse(String(ev.data)) as { id?: number; result?: Record<string, number> };
        if (msg.id !== mine) return;
        clearInterval(pump);
        ok(msg.result ?? {});
      });
      ws.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await call("HeapProfiler.collectGarbage");
    return await call("Runtime.getHeapUsage");
  } finally {
    ws.close();
  }
}
