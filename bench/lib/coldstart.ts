/**
 * Pure pieces of the edge's cold-start benchmark (bench/edge/coldstart.ts): reading a SID
 * artifact's uint8 table, comparing codes, ranking metrics, a seeded sample.
 */

/** A 2-D uint8 `.npy` array (numpy format 1.0-3.0, C order), as genrec.sid writes sids.npy. */
export function readNpyUint8(bytes: Uint8Array): { rows: number; cols: number; data: Uint8Array } {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== "NUMPY") throw new Error("not a .npy file");
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [lenAt, lenSize] = major === 1 ? [8, 2] : [8, 4];
  const headerLen = lenSize === 2 ? view.getUint16(lenAt, true) : view.getUint32(lenAt, true);
  const start = lenAt + lenSize;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  if (!/'descr':\s*'\|u1'/.test(header)) throw new Error(`not uint8: ${header.trim()}`);
  if (/'fortran_order':\s*True/.test(header)) throw new Error("fortran order is not supported");
  const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(header);
  if (!shape) throw new Error(`not a 2-D array: ${header.trim()}`);
  const rows = Number(shape[1]);
  const cols = Number(shape[2]);
  const data = bytes.subarray(start + headerLen, start + headerLen + rows * cols);
  if (data.length !== rows * cols) throw new Error(`truncated: ${data.length} of ${rows * cols} bytes`);
  return { rows, cols, data };
}

/** How often the edge's stored codes equal the reference codes: whole SIDs and digit by digit. */
export function sidAgreement(pairs: { edge: readonly number[]; reference: readonly number[] }[]) {
  const digits = Math.max(0, ...pairs.map((p) => p.reference.length));
  const perDigit = new Array<number>(digits).fill(0);
  let identical = 0;
  let wrongLength = 0;
  for (const { edge, reference } of pairs) {
    if (edge.length !== reference.length) wrongLength++;
    let same = edge.length === reference.length;
    reference.forEach((code, d) => {
      if (edge[d] === code) perDigit[d] = (perDigit[d] as number) + 1;
      else same = false;
    });
    if (same) identical++;
  }
  const n = pairs.length;
  const share = (x: number) => (n === 0 ? Number.NaN : x / n);
  const perDigitShare = perDigit.map(share);
  return {
    items: n,
    identical_share: share(identical),
    wrong_length: wrongLength,
    digit_agreement_mean: perDigitShare.reduce((s, v) => s + v, 0) / Math.max(1, digits),
    digit_agreement: perDigitShare,
  };
}

/**
 * Leave-one-out metrics of ranked lists (one target each): hit rate@k, NDCG@k, and the exposure of
 * `heldOut` items: their share of all top-k slots and how many distinct ones reach any top k; and
 * how many distinct items fill the top k at all (a model that ranks by popularity fills few).
 */
export function rankMetrics(
  lists: readonly (readonly string[])[],
  targets: readonly string[],
  heldOut: ReadonlySet<string>,
  k = 10,
) {
  let hits = 0;
  let ndcg = 0;
  let slots = 0;
  let heldSlots = 0;
  const reached = new Set<string>();
  const distinct = new Set<string>();
  lists.forEach((list, u) => {
    const top = list.slice(0, k);
    for (const id of top) distinct.add(id);
    const rank = top.indexOf(targets[u] as string);
    if (rank >= 0) {
      hits++;
      ndcg += 1 / Math.log2(rank + 2);
    }
    slots += top.length;
    for (const id of top)
      if (heldOut.has(id)) {
        heldSlots++;
        reached.add(id);
      }
  });
  const users = lists.length;
  return {
    users,
    [`hit_rate@${k}`]: users ? hits / users : Number.NaN,
    [`ndcg@${k}`]: users ? ndcg / users : Number.NaN,
    [`held_out_slot_share@${k}`]: slots ? heldSlots / slots : Number.NaN,
    held_out_items_reached: reached.size,
    distinct_items: distinct.size,
  };
}

/** `n` of `xs` drawn without replacement by a seeded shuffle (mulberry32), in draw order. */
export function seededSample<T>(xs: readonly T[], n: number, seed: number): T[] {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pool = [...xs];
  const take = Math.min(n, pool.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, take);
}
