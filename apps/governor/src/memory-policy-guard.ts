import type Redis from 'ioredis';
import { evictionProblem, readEvictionPolicy, type EvictionCheck } from '@quantum/redis-streams';

export interface MemoryPolicyGuardOptions {
  /** GOV_ALLOW_EVICTION: decide anyway under an evicting policy (warned about). */
  readonly allowEviction: boolean;
  /** Whether deciding is safe, and why not; called when that changes. */
  readonly onChange: (safe: boolean, reason: string) => void;
  readonly logger: { warn(message: string, meta?: Record<string, unknown>): unknown; error(message: string, meta?: Record<string, unknown>): unknown };
  /** How often the policy is read again besides each reconnect (default 5 s): `CONFIG SET` needs no reconnect. */
  readonly intervalMs?: number;
}

/**
 * Reads Redis's `maxmemory-policy` at start, on every reconnect and every `intervalMs`. Under a
 * policy that may evict keys, the decision records, gate state and streams that exactly-once and
 * the limits rely on can vanish, so the governor must not decide: `onChange(false, why)`, unless
 * the operator allowed it. A failed read (Redis away) changes nothing; the next reconnect reads
 * again.
 */
export class MemoryPolicyGuard {
  private timer: NodeJS.Timeout | undefined;
  private last: string | undefined;
  private readonly onReady = () => void this.check();

  constructor(
    private readonly client: Redis,
    private readonly options: MemoryPolicyGuardOptions,
  ) {}

  start(): void {
    this.client.on('ready', this.onReady);
    this.timer = setInterval(() => void this.check(), this.options.intervalMs ?? 5_000);
    this.timer.unref();
    if (this.client.status === 'ready') void this.check();
  }

  stop(): void {
    this.client.off('ready', this.onReady);
    clearInterval(this.timer);
  }

  /** Reads the policy once; resolves to the check, or undefined when Redis could not be asked. */
  async check(): Promise<EvictionCheck | undefined> {
    let check: EvictionCheck;
    try {
      check = await readEvictionPolicy(this.client);
    } catch {
      return undefined;
    }
    const state = `${check.policy}|${check.evicting}`;
    if (state !== this.last) {
      this.last = state;
      if (!check.evicting) {
        this.options.onChange(true, `maxmemory-policy ${check.policy || 'unknown'}`);
      } else if (this.options.allowEviction) {
        this.options.logger.warn(`${evictionProblem(check)}; deciding anyway because GOV_ALLOW_EVICTION=true`, { policy: check.policy });
        this.options.onChange(true, `maxmemory-policy ${check.policy} (allowed by GOV_ALLOW_EVICTION)`);
      } else {
        const reason = `${evictionProblem(check)} (or set GOV_ALLOW_EVICTION=true); not deciding`;
        this.options.logger.error(reason, { policy: check.policy });
        this.options.onChange(false, reason);
      }
    }
    return check;
  }
}
