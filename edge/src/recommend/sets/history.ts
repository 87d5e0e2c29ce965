import type { ItemTable } from "./files.ts";

/** A history as a set reads it: the rows of its known items (oldest first) and the model input. */
export interface HistoryRows {
  /** Every known history item's row, oldest first (unknown ids dropped). */
  rows: number[];
  /** The newest `maxLen` rows, left-padded with 0 (newest last): a user-side model's input. */
  input: BigInt64Array;
}

export function historyRows(items: ItemTable, maxLen: number, history: readonly string[]): HistoryRows {
  const rows = history.map((id) => items.rowOf.get(id)).filter((r): r is number => r !== undefined);
  const input = new BigInt64Array(maxLen);
  const recent = rows.slice(-maxLen);
  recent.forEach((row, i) => {
    input[maxLen - recent.length + i] = BigInt(row);
  });
  return { rows, input };
}
