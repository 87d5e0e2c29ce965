/**
 * The Worker vars that tune how the edge calls the GPU worker (declared with their defaults in
 * infra/wrangler.jsonc), read once per isolate by index.ts. A value that is not an integer within
 * its bounds is never fatal: the edge keeps serving with the default and logs one warning naming
 * the var, the value and the default used (a typo must not take recommendations down).
 */
export interface Settings {
  /** Denoise timeouts in a row that open the worker's circuit (rpc/breaker.ts). */
  breakerThreshold: number;
  /** How long an open circuit skips the worker before one probe call. */
  breakerCooldownMs: number;
  /** The deadline of the check call that registration and activation of a remote model make. */
  registerProbeMs: number;
}

interface Bounds {
  key: keyof Settings;
  fallback: number;
  min: number;
  max: number;
}

export const SETTING_VARS = {
  BREAKER_THRESHOLD: { key: "breakerThreshold", fallback: 3, min: 1, max: 1_000 },
  BREAKER_COOLDOWN_MS: { key: "breakerCooldownMs", fallback: 30_000, min: 100, max: 600_000 },
  REGISTER_PROBE_MS: { key: "registerProbeMs", fallback: 60_000, min: 1_000, max: 300_000 },
} as const satisfies Record<string, Bounds>;

export type SettingVar = keyof typeof SETTING_VARS;

export const DEFAULT_SETTINGS: Settings = {
  breakerThreshold: SETTING_VARS.BREAKER_THRESHOLD.fallback,
  breakerCooldownMs: SETTING_VARS.BREAKER_COOLDOWN_MS.fallback,
  registerProbeMs: SETTING_VARS.REGISTER_PROBE_MS.fallback,
};

const logWarning = (line: Record<string, unknown>) =>
  console.warn(JSON.stringify({ level: "warn", ...line }));

/**
 * Settings from Worker vars: strings (wrangler.jsonc, `--var`, .dev.vars, the dashboard) or JSON
 * numbers. An absent var is its default; a malformed or out-of-bounds one is its default, warned.
 */
export function readSettings(
  vars: Partial<Record<SettingVar, unknown>>,
  warn: (line: Record<string, unknown>) => void = logWarning,
): Settings {
  const out = { ...DEFAULT_SETTINGS };
  for (const [name, { key, fallback, min, max }] of Object.entries(SETTING_VARS)) {
    const raw = vars[name as SettingVar];
    if (raw === undefined) continue;
    const text = typeof raw === "number" ? String(raw) : typeof raw === "string" ? raw.trim() : "";
    const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
    if (value >= min && value <= max) {
      out[key] = value;
    } else {
      warn({
        setting: name,
        value: raw,
        message: `${name} must be an integer from ${min} to ${max}; using the default ${fallback}`,
      });
    }
  }
  return out;
}
