import { allocatorTarget, drawdownFactor } from './allocator';
import { EXECUTABLE_ACTIONS, HARVEST_ACTIONS } from './apply-layer-plans';
import { planIdFor, type PlanRecord } from './plan-record';
import { clamp01, Prng } from './prng';
import { pyFloatStr } from './pyfloat';
import { PyFloat, pyJsonDumps } from './pyjson';
import { applyFill, efficiencyScore, holdPenalty, scorerConfidence, type ScorerState } from './scorer';
import { Simulator } from './simulator';
import { universe } from './symbols';

const T0 = 1_700_000_000;

function run(seed: number, ticks: number, plansPerTick: number) {
  const sim = new Simulator({ seed, symbols: 40 });
  const out: unknown[] = [];
  for (let i = 0; i < ticks; i++) {
    const now = T0 + 5 * i;
    const tick = sim.tick(now);
    out.push(tick.targets.map((t) => t.fields), tick.efficiency.map((e) => [e.symbol, e.fields]), tick.market.map((m) => [m.symbol, m.fields]));
    for (let p = 0; p < plansPerTick; p++) out.push(sim.nextPlan(now + 1).fields);
  }
  return out;
}

describe('Prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Prng(42);
    const b = new Prng(42);
    const c = new Prng(43);
    const seqA = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 100 }, () => c.next())).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('gives the mulberry32 reference sequence', () => {
    // the canonical JavaScript mulberry32 (Tommy Ettinger's public-domain version)
    function mulberry32(a: number) {
      return function () {
        let t = (a += 0x6d2b79f5);
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    const r = new Prng(1);
    const ref = mulberry32(1);
    expect(Math.round(r.next() * 4294967296)).toBe(2693262067);
    expect(Math.round(ref() * 4294967296)).toBe(2693262067);
    for (let i = 0; i < 1000; i++) expect(r.next()).toBe(ref());
  });

  it('derives independent named streams', () => {
    expect(Prng.derive(1, 'a').next()).not.toBe(Prng.derive(1, 'b').next());
    expect(Prng.derive(1, 'a').next()).toBe(Prng.derive(1, 'a').next());
  });

  it('makes hex strings and weighted picks', () => {
    const r = new Prng(5);
    expect(r.hex(16)).toMatch(/^[0-9a-f]{16}$/);
    const counts = { a: 0, b: 0 };
    for (let i = 0; i < 10_000; i++) counts[r.weighted({ a: 0.9, b: 0.1 })] += 1;
    expect(counts.a / 10_000).toBeGreaterThan(0.87);
    expect(counts.a / 10_000).toBeLessThan(0.93);
  });
});

describe('pyFloatStr (Python str() of a float)', () => {
  it.each([
    [1e-5, '1e-05'], [1.5e-5, '1.5e-05'], [0.0001, '0.0001'], [0.00012, '0.00012'], [0.5, '0.5'], [1, '1.0'],
    [0, '0.0'], [123.25, '123.25'], [1e16, '1e+16'], [1234567890123456, '1234567890123456.0'], [-2.5e-7, '-2.5e-07'],
    [0.1 + 0.2, '0.30000000000000004'], [100, '100.0'],
  ])('%p → %s', (x, text) => expect(pyFloatStr(x)).toBe(text));
});

describe('pyJsonDumps (Python json.dumps)', () => {
  it('uses Python separators and float reprs', () => {
    expect(pyJsonDumps([{ step: 'CLOSE_PARTIAL_50', type: 'market_reduce_only', side: 'close', pct: new PyFloat(50) }]))
      .toBe('[{"step": "CLOSE_PARTIAL_50", "type": "market_reduce_only", "side": "close", "pct": 50.0}]');
    expect(pyJsonDumps({ a: 1, b: new PyFloat(1e-5), c: [true, null, 'x"\u00e9'], d: [] })).toBe('{"a": 1, "b": 1e-05, "c": [true, null, "x\\"\\u00e9"], "d": []}');
  });

  it('refuses a non-integer plain number (a float must say so)', () => {
    expect(() => pyJsonDumps({ pct: 0.5 })).toThrow(/not a Python int/);
  });
});

describe('allocator formula', () => {
  it('applies regime and drawdown factors and the 40% cap', () => {
    expect(drawdownFactor(0.049)).toBe(1.0);
    expect(drawdownFactor(0.05)).toBe(0.7);
    expect(drawdownFactor(0.149)).toBe(0.7);
    expect(drawdownFactor(0.15)).toBe(0.4);
    expect(allocatorTarget(1000, 'TREND', 0, 1, 100_000)).toBeCloseTo(1200);
    expect(allocatorTarget(1000, 'CHOP', 0.1, 0.5, 100_000)).toBeCloseTo(1000 * 0.6 * 0.7 * 0.5);
    expect(allocatorTarget(1000, 'MEAN_REVERSION', 0.2, 1, 100_000)).toBeCloseTo(400);
    expect(allocatorTarget(50_000, 'TREND', 0, 1, 100_000)).toBe(40_000);
  });
});

describe('scorer formula', () => {
  it('updates the EWMAs per fill', () => {
    const st: ScorerState = { volEwma: 0, ddEwma: 0, lastFillTs: undefined };
    applyFill(st, -100, T0);
    expect(st.volEwma).toBeCloseTo(20);
    expect(st.ddEwma).toBeCloseTo(20);
    applyFill(st, 50, T0 + 10);
    expect(st.volEwma).toBeCloseTo(0.2 * 50 + 0.8 * 20);
    expect(st.ddEwma).toBeCloseTo(0.8 * 20);
    expect(st.lastFillTs).toBe(T0 + 10);
  });

  it('hold penalty is 0 before the first fill and saturates after an hour', () => {
    const st: ScorerState = { volEwma: 0, ddEwma: 0, lastFillTs: undefined };
    expect(holdPenalty(st, T0)).toBe(0);
    st.lastFillTs = T0;
    expect(holdPenalty(st, T0 + 1800)).toBe(0.5);
    expect(holdPenalty(st, T0 + 7200)).toBe(1);
  });

  it('computes raw = perf / (1 + 0.8 vol/target + 1.2 dd/target + 0.6 hold)', () => {
    const st: ScorerState = { volEwma: 100, ddEwma: 50, lastFillTs: T0 };
    const expected = 0.6 / (1 + (0.8 * 100) / 1000 + (1.2 * 50) / 1000 + 0.6 * 0.5);
    expect(efficiencyScore(st, 0.6, 1000, T0 + 1800)).toBeCloseTo(expected, 12);
    // target floor of 1 and clamping of perf
    expect(efficiencyScore({ volEwma: 0, ddEwma: 0, lastFillTs: undefined }, 1.7, 0, T0)).toBe(1);
    expect(efficiencyScore({ volEwma: 0, ddEwma: 0, lastFillTs: undefined }, -0.2, 0, T0)).toBe(0);
  });

  it('confidence is the min of both, halved when stale', () => {
    expect(scorerConfidence(0.7, 0.9, false)).toBe(0.7);
    expect(scorerConfidence(0.7, 0.6, true)).toBe(0.3);
  });
});

describe('Simulator', () => {
  it('gives the same values for the same seed and ticks', () => {
    expect(run(7, 6, 30)).toEqual(run(7, 6, 30));
    expect(run(7, 6, 30)).not.toEqual(run(8, 6, 30));
  });

  it('ticks do not depend on how many plans were drawn in between', () => {
    const ticksOnly = (plans: number) => run(3, 5, plans).filter((x) => Array.isArray(x));
    expect(ticksOnly(0)).toEqual(ticksOnly(17));
  });

  it('writes target hashes with the allocator fields and plausible values', () => {
    const sim = new Simulator({ seed: 1, symbols: 120, equity: 100_000 });
    const { targets } = sim.tick(T0);
    expect(targets).toHaveLength(120);
    expect(new Set(targets.map((t) => t.symbol)).size).toBe(120);
    for (const t of targets) {
      expect(Object.keys(t.fields)).toEqual(['target_usd', 'weight', 'confidence', 'timestamp', 'mode']);
      expect(t.symbol).toMatch(/^[A-Za-z0-9._-]{1,40}$/);
      const usd = Number(t.fields['target_usd']);
      expect(usd).toBeGreaterThanOrEqual(0);
      expect(usd).toBeLessThanOrEqual(40_000);
      expect(t.fields['timestamp']).toBe(String(T0));
      expect(Number(t.fields['confidence'])).toBeGreaterThanOrEqual(0);
      expect(Number(t.fields['confidence'])).toBeLessThanOrEqual(1);
    }
    expect(targets.map((t) => t.symbol)).toEqual(expect.arrayContaining(['BTCUSDT', 'ETHUSDT', '1000PEPEUSDT']));
  });

  it('efficiency scores stay in [0,1], cluster around 0.2–0.7, confidence around 0.65', () => {
    const sim = new Simulator({ seed: 11, symbols: 100 });
    const scores: number[] = [];
    const confs: number[] = [];
    const problems: string[] = [];
    for (let i = 0; i < 100; i++) {
      for (const e of sim.tick(T0 + 5 * i).efficiency) {
        if (Object.keys(e.fields).slice(0, 3).join() !== 'efficiency_score,confidence,ts') problems.push(`fields ${Object.keys(e.fields)}`);
        if (e.fields['ts'] !== String(T0 + 5 * i)) problems.push(`ts ${e.fields['ts']}`);
        if (e.fields['efficiency_score'] !== pyFloatStr(e.score)) problems.push(`score text ${e.fields['efficiency_score']}`);
        if (!(e.score >= 0 && e.score <= 1)) problems.push(`score ${e.score}`);
        if (!(e.confidence >= 0 && e.confidence <= 1)) problems.push(`confidence ${e.confidence}`);
        scores.push(e.score);
        confs.push(e.confidence);
      }
    }
    expect(problems).toEqual([]);
    const inBand = scores.filter((s) => s >= 0.15 && s <= 0.75).length / scores.length;
    expect(inBand).toBeGreaterThan(0.6);
    const nearThreshold = confs.filter((c) => c >= 0.55 && c <= 0.75).length / confs.length;
    expect(nearThreshold).toBeGreaterThan(0.5);
    expect(confs.some((c) => c < 0.65)).toBe(true);
    expect(confs.some((c) => c >= 0.65)).toBe(true);
  });

  it('some symbols are never scored (missing efficiency) and distressed ones produce tiny str() numbers', () => {
    const sim = new Simulator({ seed: 2, symbols: 300 });
    let last = sim.tick(T0);
    for (let i = 1; i < 40; i++) last = sim.tick(T0 + 5 * i);
    expect(last.efficiency.length).toBeLessThan(300);
    expect(last.efficiency.some((e) => /e-\d\d$/.test(e.fields['efficiency_score']))).toBe(true);
  });

  it('writes a market feed hash per symbol every tick: a random walk from the reference price', () => {
    const sim = new Simulator({ seed: 4, symbols: 30 });
    const problems: string[] = [];
    const first = new Map<string, number>();
    let last = new Map<string, number>();
    for (let i = 0; i < 50; i++) {
      const { market } = sim.tick(T0 + 5 * i);
      if (market.length !== 30) problems.push(`tick ${i}: ${market.length} market records`);
      for (const m of market) {
        if (Object.keys(m.fields).join() !== 'price,volume,bid,ask,ts') problems.push(`fields ${Object.keys(m.fields)}`);
        if (m.fields['ts'] !== String(T0 + 5 * i)) problems.push(`ts ${m.fields['ts']}`);
        if (m.fields['price'] !== pyFloatStr(m.price)) problems.push(`price text ${m.fields['price']}`);
        const [bid, ask, volume] = [Number(m.fields['bid']), Number(m.fields['ask']), Number(m.fields['volume'])];
        if (!(bid < m.price && m.price < ask)) problems.push(`${m.symbol} bid ${bid} price ${m.price} ask ${ask}`);
        if (!(volume >= 0)) problems.push(`volume ${m.fields['volume']}`);
        if (i === 0) first.set(m.symbol, m.price);
      }
      last = new Map(market.map((m) => [m.symbol, m.price]));
    }
    expect(problems).toEqual([]);
    const reference = new Map(universe(30).map((s) => [s.symbol, s.price]));
    for (const [symbol, price] of last) {
      // 50 steps of sd 0.2 %: within a few percent of the reference price, but moved
      expect(price / (reference.get(symbol) as number)).toBeGreaterThan(0.9);
      expect(price / (reference.get(symbol) as number)).toBeLessThan(1.1);
    }
    expect([...last].filter(([symbol, price]) => price !== first.get(symbol)).length).toBeGreaterThan(25);
  });

  describe('plans of the two real producers (UPSTREAM.md)', () => {
    const APPLY_LAYER_FIELDS = [
      'plan_id', 'symbol', 'action', 'kill_score', 'k_regime_flip', 'k_sigma_spike', 'k_ts_drop', 'k_age_penalty',
      'new_sl_proposed', 'R_net', 'decision', 'reason_codes', 'steps', 'close_qty', 'price', 'timestamp',
    ];
    const INTENT_BRIDGE_FIELDS = ['plan_id', 'decision', 'symbol', 'side', 'type', 'qty', 'reduceOnly', 'source', 'signature', 'timestamp'];
    const N = 20_000;

    /** N plans at 5 per second, with a tick every 5 s as the runner does; the feed prices of the last tick. */
    function drawPlans(seed: number, symbols = 50) {
      const sim = new Simulator({ seed, symbols });
      const plans: { plan: PlanRecord; feedPrice: number }[] = [];
      let prices = new Map<string, number>();
      for (let i = 0; i < N; i++) {
        const now = T0 + i / 5;
        if (i % 25 === 0) prices = new Map(sim.tick(now).market.map((m) => [m.symbol, m.price]));
        const plan = sim.nextPlan(now);
        plans.push({ plan, feedPrice: prices.get(plan.symbol) as number });
      }
      return plans;
    }
    const plans = drawPlans(9);
    const applyLayer = plans.map((p) => p.plan).filter((p) => p.producer === 'apply_layer');
    const intentBridge = plans.filter((p) => p.plan.producer === 'intent_bridge');

    it('are drawn from both producers, most of them apply-layer SKIPs, intent-bridge plans a minority', () => {
      const skips = applyLayer.filter((p) => p.decision === 'SKIP').length;
      expect(skips / N).toBeGreaterThan(0.7);
      expect(intentBridge.length / N).toBeGreaterThan(0.05);
      expect(intentBridge.length / N).toBeLessThan(0.2);
      expect(new Set(plans.map((p) => p.plan.planId)).size).toBe(N);
    });

    it('apply layer: exactly the harvest fields in order, no qty or side, close_qty "0.0", price ""', () => {
      const problems: string[] = [];
      for (const p of applyLayer) {
        const f = p.fields;
        if (Object.keys(f).join() !== APPLY_LAYER_FIELDS.join()) problems.push(`fields ${Object.keys(f)}`);
        if (!/^[0-9a-f]{16}$/.test(p.planId) || f['plan_id'] !== p.planId) problems.push(`plan_id ${p.planId}`);
        if (f['symbol'] !== p.symbol || f['decision'] !== p.decision) problems.push(`record ${p.symbol} ${p.decision} vs fields`);
        if (!(HARVEST_ACTIONS as readonly string[]).includes(f['action'])) problems.push(`action ${f['action']}`);
        for (const k of ['kill_score', 'k_regime_flip', 'k_sigma_spike', 'k_ts_drop', 'k_age_penalty']) {
          if (!/^\d\.\d+$/.test(f[k]) || !(Number(f[k]) >= 0 && Number(f[k]) <= 1)) problems.push(`${k} ${f[k]}`);
        }
        if (!Number.isFinite(Number(f['R_net'])) || f['R_net'] === '') problems.push(`R_net ${f['R_net']}`);
        if (f['close_qty'] !== '0.0') problems.push(`close_qty ${f['close_qty']}`);
        if (f['price'] !== '') problems.push(`price ${f['price']}`);
        if (f['action'] === 'UPDATE_SL' ? !(Number(f['new_sl_proposed']) > 0) : f['new_sl_proposed'] !== '') problems.push(`new_sl_proposed ${f['action']} ${f['new_sl_proposed']}`);
        if (!Array.isArray(JSON.parse(f['steps']))) problems.push(`steps ${f['steps']}`);
        if (f['reason_codes'] !== '' && !/^[a-z_]+(,[a-z_]+)*$/.test(f['reason_codes'])) problems.push(`reason_codes ${f['reason_codes']}`);
        if (!/^\d+$/.test(f['timestamp'])) problems.push(`timestamp ${f['timestamp']}`);
      }
      expect(problems).toEqual([]);
    });

    it('apply layer: HOLD is SKIP, EXECUTE only with the four executable actions, a few EXECUTE per minute per symbol', () => {
      const byActionDecision = new Map<string, number>();
      for (const p of applyLayer) byActionDecision.set(`${p.fields['action']} ${p.decision}`, (byActionDecision.get(`${p.fields['action']} ${p.decision}`) ?? 0) + 1);
      const seen = [...byActionDecision.keys()];
      expect(seen.filter((k) => k.startsWith('HOLD ') && k !== 'HOLD SKIP')).toEqual([]);
      const executed = new Set(seen.filter((k) => k.endsWith(' EXECUTE')).map((k) => k.split(' ')[0]));
      expect([...executed].sort()).toEqual([...EXECUTABLE_ACTIONS].sort());
      expect((byActionDecision.get('HOLD SKIP') ?? 0) / applyLayer.length).toBeGreaterThan(0.6);
      for (const d of ['BLOCKED', 'ERROR'] as const) expect(applyLayer.some((p) => p.decision === d)).toBe(true);
      // N plans at 5/s are 4000 s: per symbol and minute, the busiest symbol executes only a few
      const executesPerSymbol = new Map<string, number>();
      for (const p of applyLayer.filter((x) => x.decision === 'EXECUTE')) executesPerSymbol.set(p.symbol, (executesPerSymbol.get(p.symbol) ?? 0) + 1);
      const busiest = Math.max(...executesPerSymbol.values());
      expect(busiest / (N / 5 / 60)).toBeLessThan(4);
      expect(busiest).toBeGreaterThan(0);
    });

    it('apply layer: steps are a Python json.dumps array matching the action', () => {
      const partial50 = applyLayer.find((p) => p.fields['action'] === 'PARTIAL_50');
      expect(partial50?.fields['steps']).toBe('[{"step": "CLOSE_PARTIAL_50", "type": "market_reduce_only", "side": "close", "pct": 50.0}]');
      expect(applyLayer.find((p) => p.fields['action'] === 'FULL_CLOSE_PROPOSED')?.fields['steps']).toContain('"pct": 100.0}');
      expect(applyLayer.find((p) => p.fields['action'] === 'HOLD')?.fields['steps']).toBe('[]');
      const sl = applyLayer.find((p) => p.fields['action'] === 'UPDATE_SL');
      expect(JSON.parse(sl?.fields['steps'] ?? '')).toEqual([{ step: 'UPDATE_SL', type: 'stop_loss', side: 'close', price: Number(sl?.fields['new_sl_proposed']) }]);
    });

    it('intent bridge: exactly its fields in order, always EXECUTE, no action, kill_score or price; ~20 % reduce-only', () => {
      const problems: string[] = [];
      for (const { plan: p } of intentBridge) {
        const f = p.fields;
        if (Object.keys(f).join() !== INTENT_BRIDGE_FIELDS.join()) problems.push(`fields ${Object.keys(f)}`);
        if (!/^[0-9a-f]{16}$/.test(p.planId) || f['plan_id'] !== p.planId) problems.push(`plan_id ${p.planId}`);
        if (f['decision'] !== 'EXECUTE' || p.decision !== 'EXECUTE') problems.push(`decision ${f['decision']}`);
        if (f['side'] !== 'BUY' && f['side'] !== 'SELL') problems.push(`side ${f['side']}`);
        if (f['type'] !== 'MARKET') problems.push(`type ${f['type']}`);
        if (!(Number(f['qty']) > 0) || f['qty'] !== pyFloatStr(Number(f['qty']))) problems.push(`qty ${f['qty']}`);
        if (f['reduceOnly'] !== 'true' && f['reduceOnly'] !== 'false') problems.push(`reduceOnly ${f['reduceOnly']}`);
        if (f['source'] !== 'intent_bridge' || f['signature'] !== 'intent_bridge') problems.push(`source ${f['source']} ${f['signature']}`);
        for (const absent of ['action', 'kill_score', 'price', 'close_qty']) if (absent in f) problems.push(`has ${absent}`);
      }
      expect(problems).toEqual([]);
      const reduceOnly = intentBridge.filter((p) => p.plan.fields['reduceOnly'] === 'true').length / intentBridge.length;
      expect(reduceOnly).toBeGreaterThan(0.15);
      expect(reduceOnly).toBeLessThan(0.25);
      expect(new Set(intentBridge.map((p) => p.plan.fields['side']))).toEqual(new Set(['BUY', 'SELL']));
    });

    it('intent bridge: notional at the feed price mostly 20–400 USD, some above the 200 USD per-trade cap', () => {
      const notional = intentBridge.map((p) => Number(p.plan.fields['qty']) * p.feedPrice);
      expect(notional.filter((x) => x >= 20 && x <= 400).length / notional.length).toBeGreaterThan(0.9);
      const aboveCap = notional.filter((x) => x > 200).length / notional.length;
      expect(aboveCap).toBeGreaterThan(0.05);
      expect(aboveCap).toBeLessThan(0.25);
    });
  });

  it('plan ids are a hash of the proposal', () => {
    expect(planIdFor(['a', 1])).toBe(planIdFor(['a', 1]));
    expect(planIdFor(['a', 1])).not.toBe(planIdFor(['a', 2]));
  });

  it('universes of any size have unique names', () => {
    const u = universe(500);
    expect(new Set(u.map((s) => s.symbol)).size).toBe(500);
    expect(u[0].symbol).toBe('BTCUSDT');
  });

  it('clamp01', () => expect([clamp01(-1), clamp01(0.3), clamp01(2)]).toEqual([0, 0.3, 1]));
});
