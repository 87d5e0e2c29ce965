/**
 * The header by which the edge's `/health` and the GPU worker's `/healthz` report the per-run value
 * (GENREC_INSTANCE) the launcher gave them: proof that a port is answered by the process it started,
 * checked before any key is sent there.
 */
export const INSTANCE_HEADER = "x-genrec-instance";

/** What a health route reports: its instance value, null for none, undefined when nothing answers 2xx. */
export async function instanceAt(url: string, timeoutMs = 2000): Promise<string | null | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).catch(() => undefined);
  await res?.body?.cancel();
  return res?.ok ? res.headers.get(INSTANCE_HEADER) : undefined;
}
