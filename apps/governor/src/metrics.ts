import { Counter, Gauge, type Registry } from 'prom-client';
import type { Decision } from './governor';

/** The governor's own metrics (contract §4; names kept from the predecessor). */
export class GovernorMetrics {
  readonly effApply: Counter<'action' | 'reason'>;
  readonly effFactor: Gauge<'symbol'>;
  readonly allow: Counter<'symbol'>;
  readonly block: Counter<'symbol' | 'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.effApply = new Counter({ name: 'p32_eff_apply_total', help: 'Permits written, by efficiency hint action and reason (once per permit)', labelNames: ['action', 'reason'] as const, registers });
    this.effFactor = new Gauge({ name: 'p32_eff_factor', help: 'Efficiency downsize factor of the latest permit per symbol', labelNames: ['symbol'] as const, registers });
    this.allow = new Counter({ name: 'quantum_govern_allow_total', help: 'Plans permitted, by symbol', labelNames: ['symbol'] as const, registers });
    this.block = new Counter({ name: 'quantum_govern_block_total', help: 'Plans blocked, by symbol and gate reason', labelNames: ['symbol', 'reason'] as const, registers });
  }

  /** Called once per fresh decision (never for a replayed entry). */
  record(decision: Decision): void {
    if (decision.outcome === 'permitted' && decision.permit) {
      this.allow.inc({ symbol: decision.symbol });
      this.effApply.inc({ action: decision.permit.hint.action, reason: decision.permit.reading.reason });
      this.effFactor.set({ symbol: decision.symbol }, decision.permit.hint.factor);
    } else if (decision.outcome === 'blocked') {
      this.block.inc({ symbol: decision.symbol, reason: decision.reason });
    }
  }
}
