import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Item } from "@genrec/shared";
import { readNpyUint8 } from "./coldstart.ts";

/** A test case of a holdout copy: a user's last item and up to 50 items before it. */
export interface TestCase {
  user: string;
  history: string[];
  target: string;
}

const jsonl = (path: string) =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as unknown);

/**
 * A copy written by `python -m genrec.data holdout` (gpu-worker/src/genrec/data/holdout.py): its
 * held-out item ids, its catalogue as API items, and its test cases.
 */
export function readHoldoutCopy(dir: string) {
  const record = JSON.parse(readFileSync(join(dir, "holdout.json"), "utf8")) as { held_out: string[] };
  const heldOut = new Set(record.held_out);
  const items = jsonl(join(dir, "items.jsonl")).map((row) => Item.parse(row));
  const tests: TestCase[] = jsonl(join(dir, "sequences.jsonl")).flatMap((row) => {
    const { user_id, item_ids } = row as { user_id: string; item_ids: string[] };
    const target = item_ids.at(-1);
    const history = item_ids.slice(0, -1).slice(-50);
    return target && history.length > 0 ? [{ user: user_id, history, target }] : [];
  });
  return { heldOut, items, tests };
}

/** The SID each item of a SID artifact (gpu-worker/src/genrec/sid/artifacts.py) got, by item id. */
export function artifactSids(dir: string): Map<string, number[]> {
  const ids = JSON.parse(readFileSync(join(dir, "items.json"), "utf8")) as string[];
  const table = readNpyUint8(readFileSync(join(dir, "sids.npy")));
  if (table.rows !== ids.length) throw new Error(`${dir}: ${ids.length} ids, ${table.rows} SID rows`);
  const out = new Map<string, number[]>();
  ids.forEach((id, row) => {
    if (row > 0) out.set(id, [...table.data.subarray(row * table.cols, (row + 1) * table.cols)]);
  });
  return out;
}
