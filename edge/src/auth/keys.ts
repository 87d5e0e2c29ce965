const encoder = new TextEncoder();

async function digest(value: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest("SHA-256", encoder.encode(value));
}

/** Splits a comma-separated secret into keys; blanks are ignored so a trailing comma is harmless. */
export function parseKeys(secret: string | undefined): string[] {
  return (secret ?? "")
    .split(",")
    .map((k) => k.trim())
    .filter((k) => k.length > 0);
}

/**
 * Whether `candidate` equals one of `keys`, in time independent of where they differ: both sides
 * are hashed to equal length and compared with timingSafeEqual, and every key is checked.
 */
export async function matchesAny(candidate: string, keys: string[]): Promise<boolean> {
  const probe = await digest(candidate);
  let found = false;
  for (const key of keys) {
    const equal = crypto.subtle.timingSafeEqual(probe, await digest(key));
    found = found || equal;
  }
  return found;
}
