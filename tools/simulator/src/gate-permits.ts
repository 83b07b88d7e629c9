import type Redis from 'ioredis';
import type { PlanRecord } from './plan-record';
import { permitKeys } from './permit-keys';

/** The other gates' permits live as long as the governor's. */
export const GATE_PERMIT_TTL_SEC = 60;

/**
 * Plays the two other gates (P3.3 and P2.6), which in this simulation always agree: their
 * permits for the given plans, written in one pipeline right after the plans are published.
 */
export async function writeGatePermits(redis: Redis, plans: readonly PlanRecord[], nowSec: number): Promise<void> {
  if (plans.length === 0) return;
  const pipeline = redis.pipeline();
  for (const p of plans) {
    const keys = permitKeys(p.planId);
    for (const gate of ['p33', 'p26'] as const) {
      const permit = JSON.stringify({ granted: true, gate, plan_id: p.planId, symbol: p.symbol, created_at: nowSec });
      pipeline.set(keys[gate], permit, 'EX', GATE_PERMIT_TTL_SEC);
    }
  }
  const results = (await pipeline.exec()) ?? [];
  const failed = results.find(([error]) => error);
  if (failed) throw new Error(`writing the p33/p26 gate permits of ${plans.length} plan(s) failed: ${(failed[0] as Error).message}`);
}
