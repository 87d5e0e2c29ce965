import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { EdgeConfig } from "./edge-client.ts";
import { instanceAt } from "./instance.ts";
import { GENREC_DIR } from "./paths.ts";

export { STATE_DIR } from "./paths.ts";

/** Where `genrec up` records the running local stack for the other commands (git-ignored). */
export const LOCAL_FILE = join(GENREC_DIR, "local.json");

const LocalState = z.object({
  edgeUrl: z.string(),
  gpuUrl: z.string(),
  adminKey: z.string(),
  clientKey: z.string(),
  /** The stack's per-run value: the CLI sends these keys only to an edge that reports it. */
  instance: z.string(),
  /** The launcher's process. */
  pid: z.int(),
});
export type LocalState = z.infer<typeof LocalState>;

export function writeLocalState(state: LocalState, file = LOCAL_FILE): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** The record, or undefined when there is none or it is unreadable (an older or broken file). */
export function readLocalState(file = LOCAL_FILE): LocalState | undefined {
  try {
    const parsed = LocalState.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the record if it is still the one of stack `instance` (a later stack may own it now). */
export function clearLocalState(instance: string, file = LOCAL_FILE): void {
  if (readLocalState(file)?.instance === instance) rmSync(file, { force: true });
}

/** The recorded stack when its edge still answers as that stack; undefined for a stale record. */
export async function runningLocalStack(file = LOCAL_FILE): Promise<LocalState | undefined> {
  const state = readLocalState(file);
  if (!state) return undefined;
  return (await instanceAt(`${state.edgeUrl}/health`)) === state.instance ? state : undefined;
}

export const START_HINT = "start the local stack with `npm start` or `npm run genrec -- up`";

/**
 * --edge URL (else GENREC_EDGE_URL) with keys from GENREC_ADMIN_KEY / GENREC_CLIENT_KEY; else the
 * local stack's record, whose keys go only to the edge that reports its instance value.
 */
export function resolveEdge(flagUrl?: string, file = LOCAL_FILE): EdgeConfig {
  const env = process.env;
  const fromEnv = { adminKey: env.GENREC_ADMIN_KEY, clientKey: env.GENREC_CLIENT_KEY };
  const url = flagUrl ?? env.GENREC_EDGE_URL;
  if (url !== undefined) return { url, ...fromEnv };
  const local = readLocalState(file);
  if (!local) throw new Error(`no edge to talk to: ${START_HINT}, or pass --edge URL (or GENREC_EDGE_URL)`);
  return {
    url: local.edgeUrl,
    adminKey: fromEnv.adminKey ?? local.adminKey,
    clientKey: fromEnv.clientKey ?? local.clientKey,
    instance: local.instance,
  };
}
