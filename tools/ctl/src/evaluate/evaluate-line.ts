import { downsizeHint, proposeAllocation, readEfficiency, type AllocationSettings } from '@quantum/efficiency-core';
import type { PermitSettings } from '@quantum/config';
import { EnvSettingsCache } from './env-settings';
import { AllocationInput, parseInputLine, PermitInput } from './input';

export interface EvaluateLineResult {
  /** One JSON line (no newline). */
  readonly text: string;
  readonly failed: boolean;
}

export type LineEvaluator = (line: string) => EvaluateLineResult;

/** `{"id":<id or null>,"error":"<what is wrong>"}` */
export function errorLine(id: string | null, error: string): EvaluateLineResult {
  return { text: `{"id":${JSON.stringify(id)},"error":${JSON.stringify(error)}}`, failed: true };
}

export function evaluateAllocation(input: AllocationInput, settings: AllocationSettings): string {
  const p = proposeAllocation(input.target, input.efficiency, input.now, settings);
  const proposed = p.proposedTarget === undefined ? 'null' : String(p.proposedTarget);
  return `{"id":${JSON.stringify(input.id)},"reason":"${p.reason}","multiplier":${p.multiplier},"proposed_target":${proposed},"eff_stale":${p.reading.stale}}`;
}

export function evaluatePermit(input: PermitInput, settings: PermitSettings): string {
  const reading = readEfficiency(input.efficiency, input.now, settings.gates);
  const h = downsizeHint(reading, settings.downsize);
  return `{"id":${JSON.stringify(input.id)},"eff_reason":"${reading.reason}","eff_action":"${h.action}","eff_factor":${h.factor},"extra_cooldown_sec":${h.extraCooldownSec},"eff_stale":${reading.stale}}`;
}

/** A line evaluator with its own cache of resolved settings per distinct `env`. */
export function createLineEvaluator(): LineEvaluator {
  const cache = new EnvSettingsCache();
  return (line: string): EvaluateLineResult => {
    const parsed = parseInputLine(line);
    if (!parsed.ok) return errorLine(parsed.id, parsed.error);
    const input = parsed.input;
    const settings = input.env === undefined ? cache.defaults : cache.get(input.env);
    if (!settings.ok) return errorLine(input.id, settings.error);
    const text = input.kind === 'allocation' ? evaluateAllocation(input, settings.allocation) : evaluatePermit(input, settings.permit);
    return { text, failed: false };
  };
}

let shared: LineEvaluator | undefined;

/** Contract §6: one input line (JSON) → one output line (JSON, no newline) and whether it failed. */
export function evaluateLine(line: string): EvaluateLineResult {
  if (shared === undefined) shared = createLineEvaluator();
  return shared(line);
}
