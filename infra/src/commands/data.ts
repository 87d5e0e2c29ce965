import type { EdgeClient } from "../edge-client.ts";
import { chunks, readSample } from "../sample.ts";

/** Imports a canonical dataset folder (`genrec data import` output) through the public API. */
export async function importDir(
  edge: EdgeClient,
  dir: string,
  say: (line: string) => void,
): Promise<{ items: number; events: number }> {
  return importSample(edge, say, dir);
}

/** Imports the bundled sample through the public API (validated like any client's data). */
export async function importSample(
  edge: EdgeClient,
  say: (line: string) => void,
  dir?: string,
): Promise<{ items: number; events: number }> {
  const { items, events } = readSample(dir);
  let upserted = 0;
  for (const batch of chunks(items)) upserted += (await edge.upsertItems(batch)).upserted;
  say(`imported ${upserted} items`);
  let accepted = 0;
  let duplicates = 0;
  for (const batch of chunks(events)) {
    const r = await edge.ingest(batch);
    accepted += r.accepted;
    duplicates += r.duplicates;
  }
  say(`imported ${accepted} events (${duplicates} already stored)`);
  return { items: upserted, events: accepted + duplicates };
}
