import { PERMIT_KEY_PREFIX } from '@quantum/config';
import { KEYS } from '@quantum/cli-support/keys';

/** The three permits the apply layer needs before it executes a plan (UPSTREAM.md). */
export interface PermitKeys {
  /** The governor's. */
  governor: string;
  /** The two other gates', which the simulator writes itself. */
  p33: string;
  p26: string;
}

export function permitKeys(planId: string): PermitKeys {
  return { governor: KEYS.permit(planId), p33: `${PERMIT_KEY_PREFIX}p33:${planId}`, p26: `${PERMIT_KEY_PREFIX}p26:${planId}` };
}
