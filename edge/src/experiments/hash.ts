import type { ExperimentArm } from "@genrec/shared";

/**
 * A uniform number in [0, 1) from `key`, stable across isolates and releases: 32-bit FNV-1a over the
 * UTF-8 bytes, then murmur3's finaliser so that keys differing in one character spread evenly.
 */
export function unitHash(key: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/**
 * The arm a user (or session key) belongs to: the experiment id salts the hash, so one user lands in
 * independent arms across experiments but always in the same arm of one experiment.
 */
export function pickArm<A extends Pick<ExperimentArm, "share">>(
  experimentId: string,
  key: string,
  arms: A[],
): A {
  const u = unitHash(`${experimentId}\u0000${key}`);
  const total = arms.reduce((sum, arm) => sum + arm.share, 0);
  let edge = 0;
  for (const arm of arms) {
    edge += arm.share / total;
    if (u < edge) return arm;
  }
  const last = arms.at(-1);
  if (!last) throw new Error("an experiment has at least two arms");
  return last;
}
