/**
 * config/config.ts — typed configs with named presets and `key=value` overrides. Unknown keys
 * and wrong types are rejected with the list of valid keys (nanoGPT/minGPT style, but typed).
 */
export type ConfigValue = number | string | boolean;
export type Config = Record<string, ConfigValue>;

export class ConfigError extends Error {}

/** Validate a partial object against a base config: same keys, same value types. */
export function mergeConfig<C extends Config>(base: C, patch: Record<string, unknown>, what = 'config'): C {
  const out: Config = { ...base };
  for (const [k, v] of Object.entries(patch)) {
    if (!(k in base)) {
      throw new ConfigError(`unknown ${what} key "${k}" (valid keys: ${Object.keys(base).join(', ')})`);
    }
    const want = typeof base[k];
    if (typeof v !== want) throw new ConfigError(`${what} key "${k}" must be a ${want}, got ${JSON.stringify(v)}`);
    if (want === 'number' && !Number.isFinite(v)) throw new ConfigError(`${what} key "${k}" must be finite, got ${v}`);
    out[k] = v as ConfigValue;
  }
  return out as C;
}

/** Parse `key=value` strings (CLI style) into typed values guided by the base config. */
export function parseOverrides<C extends Config>(base: C, pairs: readonly string[], what = 'config'): C {
  const patch: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new ConfigError(`override "${p}" must look like key=value`);
    const k = p.slice(0, eq), raw = p.slice(eq + 1);
    if (!(k in base)) throw new ConfigError(`unknown ${what} key "${k}" (valid keys: ${Object.keys(base).join(', ')})`);
    const t = typeof base[k];
    if (t === 'number') {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${what} key "${k}" needs a number, got "${raw}"`);
      patch[k] = n;
    } else if (t === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${what} key "${k}" needs true or false, got "${raw}"`);
      patch[k] = raw === 'true';
    } else {
      patch[k] = raw;
    }
  }
  return mergeConfig(base, patch, what);
}

/** Pick a preset by name with a helpful error. */
export function preset<C>(presets: Record<string, C>, name: string, what = 'preset'): C {
  const p = presets[name];
  if (!p) throw new ConfigError(`unknown ${what} "${name}" (choose one of: ${Object.keys(presets).join(', ')})`);
  return p;
}

/** A named preset with `key=value` overrides applied and validated (CLI `--preset` + `--set`). */
export function resolvePreset<C extends object>(presets: Record<string, C>, name: string, overrides: readonly string[], what: string): C {
  return parseOverrides(preset(presets, name, `${what} preset`) as unknown as Config, overrides, what) as unknown as C;
}
