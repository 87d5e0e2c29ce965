import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { EdgeConfig } from "./edge-client.ts";
import { REPO_ROOT } from "./local-stack.ts";

/** Where `genrec up` records the running local stack for the other commands (git-ignored). */
export const LOCAL_FILE = join(REPO_ROOT, ".genrec", "local.json");

const LocalState = z.object({
  edgeUrl: z.string(),
  gpuUrl: z.string(),
  adminKey: z.string(),
  clientKey: z.string(),
});
export type LocalState = z.infer<typeof LocalState>;

export function writeLocalState(state: LocalState): void {
  mkdirSync(dirname(LOCAL_FILE), { recursive: true });
  writeFileSync(LOCAL_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

function readLocalState(): LocalState | undefined {
  try {
    return LocalState.parse(JSON.parse(readFileSync(LOCAL_FILE, "utf8")));
  } catch {
    return undefined;
  }
}

/** Precedence: --edge flag, then GENREC_EDGE_URL / GENREC_ADMIN_KEY / GENREC_CLIENT_KEY, then the local stack. */
export function resolveEdge(flagUrl?: string): EdgeConfig {
  const local = readLocalState();
  const env = process.env;
  return {
    url: flagUrl ?? env.GENREC_EDGE_URL ?? local?.edgeUrl ?? "http://127.0.0.1:8787",
    adminKey: env.GENREC_ADMIN_KEY ?? local?.adminKey,
    clientKey: env.GENREC_CLIENT_KEY ?? local?.clientKey,
  };
}
