/** Validation of one `ctl evaluate` input line (contract §6). */
export type StringMap = Readonly<Record<string, string>>;

export interface AllocationInput {
  readonly kind: 'allocation';
  readonly id: string;
  readonly now: number;
  readonly efficiency: StringMap | null;
  readonly target: StringMap;
  readonly env: StringMap | undefined;
}

export interface PermitInput {
  readonly kind: 'permit';
  readonly id: string;
  readonly now: number;
  readonly efficiency: StringMap | null;
  readonly env: StringMap | undefined;
}

export type EvaluateInput = AllocationInput | PermitInput;

/** `id` is null when the line gave no usable id. */
export type InputParse = { readonly ok: true; readonly input: EvaluateInput } | { readonly ok: false; readonly id: string | null; readonly error: string };

export const INPUT_FIELDS: readonly string[] = ['id', 'kind', 'now', 'efficiency', 'target', 'env'];

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Undefined when `x` is an object whose values are all strings, else what is wrong. */
function stringMapProblem(x: unknown, field: string): string | undefined {
  if (!isObject(x)) return `${field} must be an object of strings`;
  for (const key of Object.keys(x)) {
    if (typeof x[key] !== 'string') return `${field}.${key} must be a string`;
  }
  return undefined;
}

function fail(id: string | null, error: string): InputParse {
  return { ok: false, id, error };
}

export function parseInputLine(line: string): InputParse {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return fail(null, `invalid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) return fail(null, 'a line must be a JSON object');
  const id = raw['id'];
  if (typeof id !== 'string') return fail(null, id === undefined ? 'id is missing' : 'id must be a string');
  for (const key of Object.keys(raw)) {
    if (!INPUT_FIELDS.includes(key)) return fail(id, `unknown field ${JSON.stringify(key)} (allowed: ${INPUT_FIELDS.join(', ')})`);
  }
  const kind = raw['kind'];
  if (kind !== 'allocation' && kind !== 'permit') return fail(id, 'kind must be "allocation" or "permit"');
  const now = raw['now'];
  if (typeof now !== 'number') return fail(id, 'now must be a number (epoch seconds)');
  const efficiency = raw['efficiency'];
  if (efficiency === undefined) return fail(id, 'efficiency is missing (use null for no hash)');
  if (efficiency !== null) {
    const problem = stringMapProblem(efficiency, 'efficiency');
    if (problem !== undefined) return fail(id, `${problem} or null`);
  }
  const env = raw['env'];
  if (env !== undefined && env !== null) {
    const problem = stringMapProblem(env, 'env');
    if (problem !== undefined) return fail(id, problem);
  }
  const envMap = env === undefined || env === null ? undefined : (env as StringMap);
  const effMap = efficiency as StringMap | null;
  if (kind === 'permit') return { ok: true, input: { kind, id, now, efficiency: effMap, env: envMap } };
  const target = raw['target'];
  if (target === undefined) return fail(id, 'target is missing (an allocation line needs the target hash)');
  const problem = stringMapProblem(target, 'target');
  if (problem !== undefined) return fail(id, problem);
  return { ok: true, input: { kind, id, now, efficiency: effMap, target: target as StringMap, env: envMap } };
}
