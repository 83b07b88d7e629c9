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

  /**
   * Records a batch's fresh decisions (never a replayed entry), in stream order, with one counter
   * step per label set instead of one per decision: label series are created in the order of
   * their first decision, and each gauge is left at the value of its symbol's last decision.
   */
  recordAll(decisions: readonly Decision[]): void {
    const messages = new Map<string, number>();
    const allow = new Map<string, number>();
    const effApply = new Map<string, { action: string; reason: string; n: number }>();
    const effFactor = new Map<string, number>();
    const block = new Map<string, { symbol: string; reason: string; n: number }>();
    let deadLetters = 0;
    for (let i = 0; i < decisions.length; i++) {
      const d = decisions[i]!;
      if (d.outcome === 'replayed') continue;
      messages.set(d.outcome, (messages.get(d.outcome) ?? 0) + 1);
      if (d.outcome === 'permitted' && d.permit) {
        allow.set(d.symbol, (allow.get(d.symbol) ?? 0) + 1);
        const action = d.permit.hint.action;
        // a downsize is counted as the predecessor did; its efficiency reason is always ok
        const reason = action === 'DOWNSIZE' ? 'low_score' : d.permit.reading.reason;
        const key = action + '\u0000' + reason;
        const e = effApply.get(key);
        if (e) e.n += 1;
        else effApply.set(key, { action, reason, n: 1 });
        // keeps the symbol's first-seen position (series order) and its last factor
        effFactor.set(d.symbol, d.permit.hint.factor);
      } else if (d.outcome === 'blocked') {
        const key = d.symbol + '\u0000' + d.reason;
        const e = block.get(key);
        if (e) e.n += 1;
        else block.set(key, { symbol: d.symbol, reason: d.reason, n: 1 });
      } else if (d.outcome === 'dead_letter') {
        deadLetters += 1;
      }
    }
    for (const [outcome, n] of messages) this.messages.inc({ outcome }, n);
    for (const [symbol, n] of allow) this.allow.inc({ symbol }, n);
    for (const e of effApply.values()) this.effApply.inc({ action: e.action, reason: e.reason }, e.n);
    for (const [symbol, factor] of effFactor) this.effFactor.set({ symbol }, factor);
    for (const e of block.values()) this.block.inc({ symbol: e.symbol, reason: e.reason }, e.n);
    if (deadLetters > 0) this.deadLetters.inc(deadLetters);
  }
}
