import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { type Event, Item } from "@genrec/shared";
import { REPO_ROOT } from "./local-stack.ts";

export const SAMPLE_DIR = join(REPO_ROOT, "gpu-worker", "data", "sample");

function jsonl(path: string): unknown[] {
  const raw = readFileSync(path);
  const text = (path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8");
  return text
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

/** `dir/name`, or its `.gz` twin (the plain file wins, as in the Python reader). */
function resolve(dir: string, name: string): string {
  const plain = join(dir, name);
  if (existsSync(plain)) return plain;
  if (existsSync(`${plain}.gz`)) return `${plain}.gz`;
  throw new Error(`${dir} holds no ${name}[.gz]: write the folder with \`genrec data import\``);
}

/**
 * A canonical dataset folder (the bundled sample of real Amazon Beauty users by default) as API
 * payloads. Rows with timestamps keep them; data with order but no timestamps (the 5-core sample)
 * gets increasing timestamps one minute apart from a fixed base: the order the models learn from is
 * the dataset's own.
 */
export function readSample(dir = SAMPLE_DIR): { items: Item[]; events: Event[] } {
  const items = jsonl(resolve(dir, "items.jsonl")).map((row) => Item.parse(row));
  const events: Event[] = [];
  const base = Date.parse("2014-01-01T00:00:00Z");
  for (const row of jsonl(resolve(dir, "sequences.jsonl")) as Array<{
    user_id: string;
    item_ids: string[];
    timestamps?: number[];
  }>) {
    row.item_ids.forEach((item_id, i) => {
      const stamp = row.timestamps?.[i];
      const at = stamp === undefined ? base + i * 60_000 : stamp * 1000;
      const timestamp = new Date(at).toISOString();
      events.push({
        event_id: `${row.user_id}-${i}`,
        user_id: row.user_id,
        item_id,
        timestamp,
        type: "review",
      });
    });
  }
  return { items, events };
}

/** Splits `xs` into chunks of at most `size` (the API takes 1,000 items or events per call). */
export function chunks<T>(xs: T[], size = 1000): T[][] {
  return Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
}
