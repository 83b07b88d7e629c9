import { Counter, Gauge, type Registry } from 'prom-client';
import { IdleTracker, LabelledCounter, LabelledGauge } from '@quantum/metrics';
import type { Decision, DecisionRecorder, Outcome } from './decision';

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
  trimmedUnread: 'governor_trimmed_before_read_total',
} as const;

export const DEFAULT_SYMBOL_IDLE_SEC = 3600;

export interface GovernorMetricsOptions {
  /**
   * `METRICS_SYMBOL_IDLE_SEC`: the series of a symbol (`p32_eff_factor`,
   * `quantum_govern_allow_total`, `quantum_govern_block_total`) with no permit and no block for
   * this long are removed (default 3600).
   */
  readonly symbolIdleSec?: number;
  /** Milliseconds of a clock that does not go back (default `performance.now`). */
  readonly now?: () => number;
}

/**
 * The governor's own metrics (docs/metrics.md; the contract §4 names are the ones the
 * predecessor's dashboards read).
 * The per-symbol series are removed once their symbol is idle: with tens of thousands of symbols
 * traded now and then, keeping every symbol ever seen made each scrape megabytes long and
 * slow. A removed counter starts again from its step when the symbol comes back, which
 * Prometheus reads as a counter reset.
 */
export class GovernorMetrics implements DecisionRecorder {
  readonly effApply: Counter<'action' | 'reason'>;
  readonly effFactor: LabelledGauge<'symbol'>;
  readonly allow: LabelledCounter<'symbol'>;
  readonly block: LabelledCounter<'symbol' | 'reason'>;
  readonly messages: Counter<'outcome'>;
  readonly deadLetters: Counter;
  readonly ready: Gauge;
  /** Symbols with per-symbol series, by their last permit or block. */
  private readonly symbols: IdleTracker;
  private readonly now: () => number;

  /** `readyProbe`: what `service_ready` reports at scrape time (default 0). */
  constructor(registry: Registry, readyProbe?: () => boolean, options: GovernorMetricsOptions = {}) {
    const registers = [registry];
    this.symbols = new IdleTracker((options.symbolIdleSec ?? DEFAULT_SYMBOL_IDLE_SEC) * 1000);
    this.now = options.now ?? (() => performance.now());
    // a scrape sweeps first, so idle series go even while no plan arrives
    const collect = () => this.removeIdle();
    this.effApply = new Counter({ name: 'p32_eff_apply_total', help: 'Permits written, by efficiency hint action and reason (once per permit)', labelNames: ['action', 'reason'] as const, registers });
    this.effFactor = new LabelledGauge({ name: 'p32_eff_factor', help: 'Efficiency downsize factor of the latest permit per symbol', labelNames: ['symbol'], registers, collect });
    this.allow = new LabelledCounter({ name: 'quantum_govern_allow_total', help: 'Plans permitted, by symbol', labelNames: ['symbol'], registers, collect });
    this.block = new LabelledCounter({ name: 'quantum_govern_block_total', help: 'Plans blocked, by symbol and gate reason', labelNames: ['symbol', 'reason'], registers, collect });
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

  /** Symbols that have per-symbol series now. */
  get symbolCount(): number {
    return this.symbols.size;
  }

  /**
   * Removes the series of the symbols idle for the configured time. Cheap whenever called: the
   * symbols are kept in the order of their last update, so only the idle ones are looked at.
   */
  removeIdle(now = this.now()): void {
    for (const symbol of this.symbols.takeIdle(now)) {
      this.effFactor.removeGroup(symbol);
      this.allow.removeGroup(symbol);
      this.block.removeGroup(symbol);
    }
  }

  /**
   * Records a batch's fresh decisions (never a replayed entry), in stream order, with one counter
   * step per label set instead of one per decision: label series are created in the order of
   * their first decision, and each gauge is left at the value of its symbol's last decision.
   * Every symbol permitted or blocked is marked active; then the idle ones are removed.
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
        // a downsize counts under low_score, the reason the predecessor's dashboards read; its
        // efficiency reason is always ok
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
    if (allow.size === 0 && block.size === 0) return;
    const now = this.now();
    // allow and effFactor have the same symbols
    for (const symbol of allow.keys()) this.symbols.touch(symbol, now);
    for (const e of block.values()) this.symbols.touch(e.symbol, now);
    this.removeIdle(now);
  }
}
