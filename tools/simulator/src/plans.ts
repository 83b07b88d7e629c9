import { ApplyLayerPlans } from './apply-layer-plans';
import { IntentBridgePlans } from './intent-bridge-plans';
import type { PriceBook } from './market';
import type { PlanRecord, Producer } from './plan-record';
import { Prng } from './prng';
import { SymbolPicker } from './symbol-picker';
import type { SymbolInfo } from './symbols';

/**
 * Who writes the next stream entry: the apply layer re-evaluates every open position over and
 * over (mostly SKIP), the intent bridge writes only when the AI layer wants a trade.
 */
export const PRODUCER_MIX: Readonly<Record<Producer, number>> = { apply_layer: 0.88, intent_bridge: 0.12 };

/** The plan stream as the two real producers fill it together (UPSTREAM.md). */
export class PlanModel {
  private readonly rng: Prng;
  private readonly applyLayer: ApplyLayerPlans;
  private readonly intentBridge: IntentBridgePlans;

  constructor(seed: number, symbols: readonly SymbolInfo[], prices: PriceBook) {
    this.rng = Prng.derive(seed, 'plans');
    const picker = new SymbolPicker(symbols);
    this.applyLayer = new ApplyLayerPlans(seed, picker, prices);
    this.intentBridge = new IntentBridgePlans(seed, picker, prices);
  }

  next(nowSec: number): PlanRecord {
    return this.rng.weighted(PRODUCER_MIX) === 'apply_layer' ? this.applyLayer.next(nowSec) : this.intentBridge.next(nowSec);
  }
}
