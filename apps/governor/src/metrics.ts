import { Counter, Gauge, type Registry } from 'prom-client';
import type { Decision, Outcome } from './governor';

export const OUTCOMES: readonly Outcome[] = ['permitted', 'blocked', 'duplicate', 'skipped', 'dead_letter'];

/**
 * Names of the stream consumer's metrics for the governor (docs/metrics.md). Decisions by outcome
 * and dead letters are counted by {@link GovernorMetrics} from fresh decisions (a replayed entry is
 * not a decision and is not counted again), so the consumer does not register its own.
 */
export const GOVERNOR_CONSUMER_METRIC_NAMES = {
  processed: null,
  deadLettered: null,
  latency: 'governor_decision_latency_seconds',
  pending: 'governor_pending_messages',
  lag: 'governor_consumer_lag',
  reclaimed: 'governor_reclaimed_total',
  trimmed: 'governor_trimmed_before_ack_total',
} as const;

/** The governor's own metrics (contract §4 names kept from the predecessor; docs/metrics.md). */
export class GovernorMetrics {
  readonly effApply: Counter<'action' | 'reason'>;
  readonly effFactor: Gauge<'symbol'>;
  readonly allow: Counter<'symbol'>;
  readonly block: Counter<'symbol' | 'reason'>;
  readonly messages: Counter<'outcome'>;
  readonly deadLetters: Counter;
  readonly ready: Gauge;

  /** `readyProbe`: what `service_ready` reports at scrape time (default 0). */
  constructor(registry: Registry, readyProbe?: () => boolean) {
    const registers = [registry];
    this.effApply = new Counter({ name: 'p32_eff_apply_total', help: 'Permits written, by efficiency hint action and reason (once per permit)', labelNames: ['action', 'reason'] as const, registers });
    this.effFactor = new Gauge({ name: 'p32_eff_factor', help: 'Efficiency downsize factor of the latest permit per symbol', labelNames: ['symbol'] as const, registers });
    this.allow = new Counter({ name: 'quantum_govern_allow_total', help: 'Plans permitted, by symbol', labelNames: ['symbol'] as const, registers });
    this.block = new Counter({ name: 'quantum_govern_block_total', help: 'Plans blocked, by symbol and gate reason', labelNames: ['symbol', 'reason'] as const, registers });
    this.messages = new Counter({ name: 'governor_messages_total', help: 'Decisions by outcome (once per decided stream entry)', labelNames: ['outcome'] as const, registers });
    for (const outcome of OUTCOMES) this.messages.inc({ outcome }, 0);
    this.deadLetters = new Counter({ name: 'governor_dead_letters_total', help: 'Plans copied to the dead-letter stream (malformed or over-delivered)', registers });
    this.ready = new Gauge({
      name: 'service_ready',
      help: '1 when /readyz would answer 200, else 0',
      registers,
      ...(readyProbe ? { collect(this: Gauge) { this.set(readyProbe() ? 1 : 0); } } : {}),
    });
    this.ready.set(0);
  }

  /** Called once per fresh decision (never for a replayed entry). */
  record(decision: Decision): void {
    if (decision.outcome === 'replayed') return;
    this.messages.inc({ outcome: decision.outcome });
    if (decision.outcome === 'permitted' && decision.permit) {
      this.allow.inc({ symbol: decision.symbol });
      this.effApply.inc({ action: decision.permit.hint.action, reason: decision.permit.reading.reason });
      this.effFactor.set({ symbol: decision.symbol }, decision.permit.hint.factor);
    } else if (decision.outcome === 'blocked') {
      this.block.inc({ symbol: decision.symbol, reason: decision.reason });
    } else if (decision.outcome === 'dead_letter') {
      this.deadLetters.inc();
    }
  }
}
