import { allocatorTarget, drawdownFactor } from './allocator';
import { CLOSE_ACTIONS, planIdFor } from './plans';
import { clamp01, Prng } from './prng';
import { pyFloatStr } from './pyfloat';
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
    out.push(tick.targets.map((t) => t.fields), tick.efficiency.map((e) => [e.symbol, e.fields]));
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

  it('plans have the apply layer shape and a realistic mix', () => {
    const sim = new Simulator({ seed: 9, symbols: 50 });
    const counts: Record<string, number> = {};
    const ids = new Set<string>();
    let executes = 0;
    let executeOpens = 0;
    let executeCloses = 0;
    let emptyPrice = 0;
    const n = 5000;
    const problems: string[] = [];
    for (let i = 0; i < n; i++) {
      const p = sim.nextPlan(T0 + i / 5);
      const head = Object.keys(p.fields).slice(0, 9).join();
      if (head !== 'plan_id,symbol,action,decision,kill_score,side,qty,price,timestamp') problems.push(`fields ${head}`);
      if (!/^[0-9a-f]{16}$/.test(p.planId) || p.fields['plan_id'] !== p.planId) problems.push(`plan_id ${p.planId}`);
      ids.add(p.planId);
      const ks = Number(p.fields['kill_score']);
      if (!(ks >= 0 && ks <= 1)) problems.push(`kill_score ${ks}`);
      if (!(Number(p.fields['qty']) > 0)) problems.push(`qty ${p.fields['qty']}`);
      if (p.fields['price'] === '') emptyPrice++;
      else if (!(Number(p.fields['price']) > 0)) problems.push(`price ${p.fields['price']}`);
      JSON.parse(p.fields['steps']);
      counts[p.decision] = (counts[p.decision] ?? 0) + 1;
      if (p.decision === 'EXECUTE') {
        executes++;
        if (p.action === 'OPEN_PROPOSED') executeOpens++;
        if ((CLOSE_ACTIONS as readonly string[]).includes(p.action)) executeCloses++;
      }
    }
    expect(problems).toEqual([]);
    expect(ids.size).toBe(n);
    expect(((counts['SKIP'] ?? 0) + (counts['BLOCKED'] ?? 0)) / n).toBeGreaterThan(0.7);
    expect(executes / n).toBeGreaterThan(0.05);
    expect(executes / n).toBeLessThan(0.25);
    expect(executeOpens).toBeGreaterThan(executes * 0.3);
    expect(executeCloses).toBeGreaterThan(executes * 0.15);
    expect(emptyPrice / n).toBeGreaterThan(0.01);
    expect(emptyPrice / n).toBeLessThan(0.1);
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
