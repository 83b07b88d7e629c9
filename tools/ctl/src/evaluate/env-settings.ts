import type { AllocationSettings } from '@quantum/efficiency-core';
import { ALLOCATION_TARGET_CONFIG, allocationSettingsFrom, GOVERNOR_CONFIG, type PermitSettings, permitSettingsFrom, resolveVariables, unknownVariables } from '@quantum/config';

export type LineSettings = { readonly ok: true; readonly allocation: AllocationSettings; readonly permit: PermitSettings } | { readonly ok: false; readonly error: string };

const SPECS = [ALLOCATION_TARGET_CONFIG, GOVERNOR_CONFIG];

/**
 * An `env` of an evaluate line, validated as the services validate it: every name must belong
 * to allocation-target or governor, every value must pass its variable's rules, and the
 * relations of both services must hold. Values apply on top of the defaults.
 */
export function settingsForEnv(env: Readonly<Record<string, string>>): LineSettings {
  const unknown = unknownVariables(SPECS, env);
  if (unknown.length > 0) {
    return { ok: false, error: `env: unknown variable${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (allowed: the variables of allocation-target and governor)` };
  }
  const a = resolveVariables(ALLOCATION_TARGET_CONFIG, env);
  const g = resolveVariables(GOVERNOR_CONFIG, env);
  if (!a.ok || !g.ok) {
    const messages = new Set<string>();
    for (const p of a.ok ? [] : a.problems) messages.add(p.message);
    for (const p of g.ok ? [] : g.problems) messages.add(p.message);
    return { ok: false, error: `env: ${[...messages].join(' | ')}` };
  }
  return { ok: true, allocation: allocationSettingsFrom(a.values), permit: permitSettingsFrom(g.values) };
}

const MAX_CACHED = 10000;

/** Caches `settingsForEnv` per distinct env (keyed by its JSON text). */
export class EnvSettingsCache {
  private readonly cache = new Map<string, LineSettings>();
  readonly defaults: LineSettings = settingsForEnv({});

  get(env: Readonly<Record<string, string>>): LineSettings {
    const key = JSON.stringify(env);
    let hit = this.cache.get(key);
    if (hit === undefined) {
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      hit = settingsForEnv(env);
      this.cache.set(key, hit);
    }
    return hit;
  }
}
