import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the chaos tests put their measured numbers (one JSON object keyed by test); printed too. */
export const RESULTS_FILE = process.env['CHAOS_RESULTS_FILE'] ?? join(tmpdir(), 'quantum-chaos-results.json');

export function recordResult(name: string, result: unknown): void {
  const all = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as Record<string, unknown>) : {};
  all[name] = { measured_at: new Date().toISOString(), ...(result as object) };
  writeFileSync(RESULTS_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
