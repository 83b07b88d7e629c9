import { DEFAULT_ALLOCATION_SETTINGS, DEFAULT_DOWNSIZE_PARAMS } from '@quantum/efficiency-core';
import { ALLOCATION_TARGET_CONFIG } from './catalogue/allocation-target';
import { GOVERNOR_CONFIG } from './catalogue/governor';
import { resolveVariables } from './catalogue/resolve';
import { allocationSettingsFrom, permitSettingsFrom } from './settings';

function values<T>(r: { ok: true; values: T } | { ok: false }): T {
  if (!r.ok) throw new Error('expected the defaults to resolve');
  return r.values;
}

describe('catalogue values → parameter objects', () => {
  it('the catalogue defaults give the core defaults', () => {
    expect(allocationSettingsFrom(values(resolveVariables(ALLOCATION_TARGET_CONFIG, {})))).toEqual(DEFAULT_ALLOCATION_SETTINGS);
    expect(permitSettingsFrom(values(resolveVariables(GOVERNOR_CONFIG, {})))).toEqual({
      gates: { staleSec: 600, minConfidence: 0.65, maxFutureSkewSec: 60 },
      downsize: DEFAULT_DOWNSIZE_PARAMS,
      enforceDownsize: false,
    });
  });

  it('maps each variable to its field (P31_EFF_TTL_SEC is the permit\'s age limit)', () => {
    const g = values(resolveVariables(GOVERNOR_CONFIG, { P31_EFF_TTL_SEC: '30', P31_MIN_CONF: '0.5', P31_MAX_FUTURE_SKEW_SEC: '5', P31_DOWNSIZE_THRESHOLD: '0.4', P31_MIN_FACTOR: '0.3', P31_MAX_EXTRA_COOLDOWN_SEC: '10', P31_ENFORCE_DOWNSIZE: 'true' }));
    expect(permitSettingsFrom(g)).toEqual({ gates: { staleSec: 30, minConfidence: 0.5, maxFutureSkewSec: 5 }, downsize: { threshold: 0.4, minFactor: 0.3, maxExtraCooldownSec: 10 }, enforceDownsize: true });
    const a = values(resolveVariables(ALLOCATION_TARGET_CONFIG, { P31_BASE: '2', P31_SCALE: '3', P31_MIN_MULT: '0.1', P31_MAX_MULT: '4', P31_STALE_SEC: '7', P31_MIN_CONF: '0.2', P31_MAX_FUTURE_SKEW_SEC: '1' }));
    expect(allocationSettingsFrom(a)).toEqual({ base: 2, scale: 3, minMult: 0.1, maxMult: 4, staleSec: 7, minConfidence: 0.2, maxFutureSkewSec: 1 });
  });
});
