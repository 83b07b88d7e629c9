import type Redis from 'ioredis';
import { KEYS } from '@quantum/cli-support/keys';
import { permitKeys } from './permit-keys';

/**
 * - `consumed`: all three permits were there within the timeout and were taken in one step;
 * - `blocked`: no governor permit in time, and the governor wrote a block record for the plan;
 * - `timeout`: no governor permit in time and no block record (`permit_timeout_or_missing`);
 * - `invalid`: the governor's permit was consumed but is not JSON.
 * The apply layer itself knows only consumed and `permit_timeout_or_missing`: it never looks
 * at block records; they only tell a governor's refusal from a missing decision in the summary.
 */
export type PermitOutcome = 'consumed' | 'blocked' | 'timeout' | 'invalid';

export interface PermitResult {
  outcome: PermitOutcome;
  /** Milliseconds from the start of polling to the consumption (consumed and invalid). */
  latencyMs?: number;
  /** The governor's permit as it was stored (consumed and invalid). */
  permit?: string;
}

export interface PermitPolling {
  /** Between two looks (the apply layer: 100 ms). */
  pollMs?: number;
  /** How long a plan waits for its permits (the apply layer: 1.2 s). */
  timeoutMs?: number;
}

/**
 * GET each permit, DEL all, return the three values: one atomic step, so a permit can be used
 * only once. It takes nothing unless all three are there, so that a consumer racing another
 * never leaves a half-consumed set behind.
 */
const CONSUME_LUA = `
local values = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then return false end
  values[i] = value
end
redis.call('DEL', unpack(KEYS))
return values`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What the apply layer does after publishing an EXECUTE plan: every `pollMs`, for up to
 * `timeoutMs`, look whether the governor's permit and the two other gates' permits all exist,
 * and once they do consume the three in one script. Without them in time, the simulator removes
 * the other gates' permits it wrote (nobody else will) and says whether the governor blocked.
 */
export async function consumePermits(redis: Redis, planId: string, polling: PermitPolling = {}): Promise<PermitResult> {
  const pollMs = polling.pollMs ?? 100;
  const timeoutMs = polling.timeoutMs ?? 1200;
  const keys = permitKeys(planId);
  const all = [keys.governor, keys.p33, keys.p26];
  const started = Date.now();
  for (;;) {
    if ((await redis.exists(...all)) === all.length) {
      const values = (await redis.eval(CONSUME_LUA, all.length, ...all)) as string[] | null;
      if (values) return parsedPermit(values[0], Date.now() - started);
    }
    if (Date.now() - started + pollMs > timeoutMs) break;
    await sleep(pollMs);
  }
  await redis.del(keys.p33, keys.p26);
  const blocked = await redis.exists(KEYS.block(planId));
  return { outcome: blocked ? 'blocked' : 'timeout' };
}

/** The apply layer reads no field of the governor's permit; it only parses the JSON. */
function parsedPermit(permit: string, latencyMs: number): PermitResult {
  try {
    JSON.parse(permit);
    return { outcome: 'consumed', latencyMs, permit };
  } catch {
    return { outcome: 'invalid', latencyMs, permit };
  }
}
