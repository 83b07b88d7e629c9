import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { runShadowLoop } from '../src/shadow-loop';
import { ShadowMetrics } from '../src/shadow-metrics';
import { DEFAULT_SHADOW_SETTINGS } from '../src/settings';
import { parseSeries } from './prom';
import { EFF_PREFIX, NOW, PROPOSED_PREFIX, seed, STREAM, TARGET_PREFIX, type SeededSymbol } from './seed';

/**
 * A seeded universe of 1000 symbols covering every reason, decoys and odd numbers; the exact
 * stream entries and hashes (fields and their order) are checked against literal expectations
 * and an independent oracle.
 */

const fresh = String(NOW - 10);
const eff = (score: string, confidence = '0.9', ts = fresh): Record<string, string> => ({ efficiency_score: score, confidence, ts });

/** Hand-written cases: [symbol, target, efficiency, expected stream fields (after ts_epoch, symbol) or 'invalid_target']. */
type Expected = [base: string, proposed: string, mult: string, score: string, conf: string, stale: string, reason: string, baseHash: string, proposedHash: string];
const CASES: [string, SeededSymbol['target'], SeededSymbol['efficiency'], Expected | 'invalid_target'][] = [
  ['OK02', { target_usd: '1000', mode: 'live' }, eff('0.2'), ['1000', '700', '0.7000', '0.2', '0.9', '0', 'ok', '1000.00', '700.00']],
  ['OK00', { target_usd: '1000' }, eff('0'), ['1000', '500', '0.5000', '0', '0.9', '0', 'ok', '1000.00', '500.00']],
  ['OK10', { target_usd: '1000' }, eff('1'), ['1000', '1500', '1.5000', '1', '0.9', '0', 'ok', '1000.00', '1500.00']],
  ['OKCONF', { target_usd: '1000' }, eff('0.5', '0.65'), ['1000', '1000', '1.0000', '0.5', '0.65', '0', 'ok', '1000.00', '1000.00']],
  ['OKAGE600', { target_usd: '1000' }, eff('0.6', '0.9', String(NOW - 600)), ['1000', '1100', '1.1000', '0.6', '0.9', '0', 'ok', '1000.00', '1100.00']],
  ['OKFUT60', { target_usd: '1000' }, eff('0.6', '0.9', String(NOW + 60)), ['1000', '1100', '1.1000', '0.6', '0.9', '0', 'ok', '1000.00', '1100.00']],
  ['TINY', { target_usd: '1000' }, eff('1e-05'), ['1000', '500.01000000000005', '0.5000', '0.00001', '0.9', '0', 'ok', '1000.00', '500.01']],
  ['HUGE', { target_usd: '1e15' }, eff('0.75'), ['1000000000000000', '1250000000000000', '1.2500', '0.75', '0.9', '0', 'ok', '1000000000000000.00', '1250000000000000.00']],
  ['TIE', { target_usd: '0.125' }, null, ['0.125', '0.125', '1.0000', '', '', '0', 'missing_eff', '0.12', '0.12']],
  ['ZERO', { target_usd: '0' }, eff('0.9'), ['0', '0', '1.4000', '0.9', '0.9', '0', 'ok', '0.00', '0.00']],
  ['MISS', { target_usd: '250.5' }, null, ['250.5', '250.5', '1.0000', '', '', '0', 'missing_eff', '250.50', '250.50']],
  ['INV_ABC', { target_usd: '100' }, eff('abc'), ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_RANGE', { target_usd: '100' }, eff('1.5'), ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_NAN', { target_usd: '100' }, eff('NaN'), ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_NOTS', { target_usd: '100' }, { efficiency_score: '0.3', confidence: '0.9' }, ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_OTHER', { target_usd: '100' }, { window: '3600' }, ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_FUT', { target_usd: '100' }, eff('0.3', '0.9', String(NOW + 61)), ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['INV_TYPE', { target_usd: '100' }, { string: 'oops' }, ['100', '100', '1.0000', '', '', '0', 'invalid_eff', '100.00', '100.00']],
  ['STALE', { target_usd: '100' }, eff('0.3', '0.9', String(NOW - 601)), ['100', '100', '1.0000', '0.3', '0.9', '1', 'stale_eff', '100.00', '100.00']],
  ['STALEDEC', { target_usd: '100' }, eff('0.3', '0.9', String(NOW - 600.5)), ['100', '100', '1.0000', '0.3', '0.9', '1', 'stale_eff', '100.00', '100.00']],
  ['LOWC', { target_usd: '100' }, eff('0.3', '0.6499'), ['100', '100', '1.0000', '0.3', '0.6499', '0', 'low_conf', '100.00', '100.00']],
  ['T_MISSING', { mode: 'live' }, eff('0.3'), 'invalid_target'],
  ['T_ABC', { target_usd: 'abc' }, eff('0.3'), 'invalid_target'],
  ['T_NEG', { target_usd: '-5' }, eff('0.3'), 'invalid_target'],
  ['T_NAN', { target_usd: 'NaN' }, eff('0.3'), 'invalid_target'],
  ['T_EMPTY', { target_usd: '' }, eff('0.3'), 'invalid_target'],
  ['T_INF', { target_usd: '1e999' }, eff('0.3'), 'invalid_target'],
  ['T_TYPE', { string: '1000' }, eff('0.3'), 'invalid_target'],
];

/** Bulk symbols: reason chosen by i % 6, values from simple formulas so the oracle is obvious. */
function bulk(i: number): SeededSymbol & { reason: string } {
  const symbol = `B${i}-x.y_z`;
  const target = { target_usd: String(100 * (i + 1)), mode: 'live' };
  const score = String((i % 100) / 100);
  switch (i % 6) {
    case 0:
      return { symbol, target, efficiency: eff(score), reason: 'ok' };
    case 1:
      return { symbol, target, efficiency: null, reason: 'missing_eff' };
    case 2:
      return { symbol, target, efficiency: eff('2'), reason: 'invalid_eff' };
    case 3:
      return { symbol, target, efficiency: eff(score, '0.9', String(NOW - 700)), reason: 'stale_eff' };
    case 4:
      return { symbol, target, efficiency: eff(score, '0.1'), reason: 'low_conf' };
    default:
      return { symbol, target: { target_usd: i % 2 ? 'x' : '-1' }, efficiency: eff(score), reason: 'invalid_target' };
  }
}

const BULK = 1000 - CASES.length;

function oracle(i: number): string[] | undefined {
  const b = bulk(i);
  if (b.reason === 'invalid_target') return undefined;
  const base = 100 * (i + 1);
  const score = (i % 100) / 100;
  const mult = b.reason === 'ok' ? Math.min(1.5, Math.max(0.5, 1 + (score - 0.5))) : 1;
  const parsed = b.reason === 'ok' || b.reason === 'stale_eff' || b.reason === 'low_conf';
  return [
    String(NOW), b.symbol, String(base), String(base * mult), mult.toFixed(4),
    parsed ? String(score) : '', parsed ? (b.reason === 'low_conf' ? '0.1' : '0.9') : '',
    b.reason === 'stale_eff' ? '1' : '0', b.reason, 'shadow',
  ];
}

const FIELDS = ['ts_epoch', 'symbol', 'base_target', 'proposed_target', 'multiplier', 'eff_score', 'eff_confidence', 'eff_stale', 'reason', 'mode'];
const interleave = (values: string[], names = FIELDS) => names.flatMap((n, k) => [n, values[k] as string]);

describe('proposal loop against a real Redis (1000 symbols)', () => {
  let redis: ThrowawayRedis;
  let client: Redis;
  let metrics: ShadowMetrics;
  const universe: SeededSymbol[] = [...CASES.map(([symbol, target, efficiency]) => ({ symbol, target, efficiency })), ...Array.from({ length: BULK }, (_, i) => bulk(i))];
  let targetDumpBefore: Map<string, string>;

  async function targetSnapshot(): Promise<Map<string, string>> {
    const keys = (await client.keys(TARGET_PREFIX + '*')).filter((k) => !k.startsWith(PROPOSED_PREFIX)).sort();
    const out = new Map<string, string>();
    for (const k of keys) out.set(k, ((await client.dumpBuffer(k)) as Buffer).toString('base64'));
    return out;
  }

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    await client.flushall();
    await seed(client, universe);
    // decoys under the target prefix, and a stale proposal hash of an older writer
    await client.hset(PROPOSED_PREFIX + 'DECOY', 'target_usd', '5');
    await client.hset(TARGET_PREFIX + 'a:b', 'target_usd', '5');
    await client.hset(TARGET_PREFIX + 'X'.repeat(41), 'target_usd', '5');
    await client.hset(TARGET_PREFIX + 'bad symbol', 'target_usd', '5');
    await client.hset(PROPOSED_PREFIX + 'OK02', 'old_field', 'lingers?', 'ts_epoch', '1');
    targetDumpBefore = await targetSnapshot();
    metrics = new ShadowMetrics(new Registry());
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  let outcome: Awaited<ReturnType<typeof runShadowLoop>>;
  const settings = { ...DEFAULT_SHADOW_SETTINGS, batchSize: 64 };

  it('counts every reason and skips decoy keys', async () => {
    outcome = await runShadowLoop(client, settings, NOW, metrics);
    metrics.loopSucceeded(outcome, 0.01, NOW);
    const bulkCount = (reason: string) => Array.from({ length: BULK }, (_, i) => bulk(i)).filter((b) => b.reason === reason).length;
    const caseCount = (reason: string) => CASES.filter(([, , , e]) => (e === 'invalid_target' ? reason === 'invalid_target' : e[6] === reason)).length;
    for (const reason of ['ok', 'missing_eff', 'invalid_eff', 'stale_eff', 'low_conf', 'invalid_target']) {
      expect([reason, outcome.byReason[reason as keyof typeof outcome.byReason]]).toEqual([reason, bulkCount(reason) + caseCount(reason)]);
    }
    expect(outcome.symbols).toBe(1000);
    expect(outcome.written).toBe(1000 - outcome.byReason.invalid_target);
    expect(outcome.byReason.redis_error).toBe(0);
    // a:b, 41 chars, 'bad symbol' (keys under the proposal prefix are the service's own, not counted)
    expect(outcome.skippedKeys).toBe(3);
  });

  it('writes exactly one stream entry per proposal, fields in contract order', async () => {
    const entries = await client.xrange(STREAM, '-', '+');
    expect(entries).toHaveLength(outcome.written);
    const bySymbol = new Map(entries.map(([, fields]) => [fields[3] as string, fields]));
    expect(bySymbol.size).toBe(entries.length);
    for (const [symbol, , , expected] of CASES) {
      if (expected === 'invalid_target') {
        expect([symbol, bySymbol.get(symbol)]).toEqual([symbol, undefined]);
        continue;
      }
      const values = [String(NOW), symbol, ...expected.slice(0, 7), 'shadow'];
      expect(bySymbol.get(symbol)).toEqual(interleave(values));
    }
    for (let i = 0; i < BULK; i++) {
      const values = oracle(i);
      expect(bySymbol.get(bulk(i).symbol)).toEqual(values ? interleave(values) : undefined);
    }
  });

  it('writes the proposal hashes field-exact, with TTL, replacing older fields', async () => {
    for (const [symbol, , , expected] of CASES) {
      const raw = (await client.call('HGETALL', PROPOSED_PREFIX + symbol)) as string[];
      if (expected === 'invalid_target') {
        expect([symbol, raw]).toEqual([symbol, []]);
        continue;
      }
      const [base, proposed, mult, score, conf, stale, reason, baseHash, proposedHash] = expected;
      void base;
      void proposed;
      const values = [String(NOW), symbol, baseHash, proposedHash, mult, score, conf, stale, reason, 'shadow', String(NOW)];
      expect([symbol, raw]).toEqual([symbol, interleave(values, [...FIELDS, 'last_update_ts_epoch'])]);
    }
    for (let i = 0; i < BULK; i += 7) {
      const b = bulk(i);
      const raw = (await client.call('HGETALL', PROPOSED_PREFIX + b.symbol)) as string[];
      const o = oracle(i);
      if (!o) {
        expect(raw).toEqual([]);
        continue;
      }
      const values = [...o];
      values[2] = Number(o[2]).toFixed(2);
      values[3] = Number(o[3]).toFixed(2);
      expect(raw).toEqual(interleave([...values, String(NOW)], [...FIELDS, 'last_update_ts_epoch']));
    }
    const keys = await client.keys(PROPOSED_PREFIX + '*');
    expect(keys.length).toBe(outcome.written + 1); // + the decoy, left alone
    expect(await client.hgetall(PROPOSED_PREFIX + 'DECOY')).toEqual({ target_usd: '5' });
    const ttls = await Promise.all(keys.filter((k) => !k.endsWith('DECOY')).map((k) => client.ttl(k)));
    for (const ttl of ttls) expect(ttl > 590 && ttl <= 600).toBe(true);
  });

  it('never writes a target key', async () => {
    expect(await targetSnapshot()).toEqual(targetDumpBefore);
  });

  it('exports the contract metric families with one series per symbol', async () => {
    const text = await metrics.registry.metrics();
    for (const family of ['p29_shadow_loops_total', 'p29_shadow_proposed_total', 'p29_shadow_multiplier', 'p29_shadow_eff_score', 'p29_shadow_eff_confidence', 'p29_shadow_loop_duration_seconds', 'p29_shadow_symbols_per_loop', 'p29_shadow_last_success_timestamp_seconds', 'p29_shadow_loop_errors_total', 'service_ready']) {
      expect(text).toContain(`# TYPE ${family} `);
    }
    const series = parseSeries(text);
    expect(series.get('p29_shadow_multiplier{symbol="OK02"}')).toBe(0.7);
    expect(series.get('p29_shadow_eff_score{symbol="TINY"}')).toBe(1e-5);
    expect(series.get('p29_shadow_eff_confidence{symbol="STALE"}')).toBe(0.9);
    expect(series.has('p29_shadow_eff_score{symbol="MISS"}')).toBe(false);
    expect(series.has('p29_shadow_multiplier{symbol="T_ABC"}')).toBe(false);
    expect(series.get('p29_shadow_proposed_total{reason="invalid_target"}')).toBe(outcome.byReason.invalid_target);
    expect(series.get('p29_shadow_loops_total')).toBe(1);
    const multiplierSeries = [...series.keys()].filter((k) => k.startsWith('p29_shadow_multiplier{'));
    expect(multiplierSeries).toHaveLength(outcome.written);
  });

  it('a second loop appends again and removes the series of vanished symbols', async () => {
    await client.del(TARGET_PREFIX + 'OK02', TARGET_PREFIX + 'STALE');
    // written over in place next loop, unless another writer added a field or a key of another type
    const ok10Before = await client.hgetall(PROPOSED_PREFIX + 'OK10');
    await client.hset(PROPOSED_PREFIX + 'OK00', 'added_by_someone', 'x');
    await client.set(PROPOSED_PREFIX + 'TIE', 'not a hash');
    const second = await runShadowLoop(client, settings, NOW + 10, metrics);
    expect(await client.hgetall(PROPOSED_PREFIX + 'OK10')).toEqual({ ...ok10Before, ts_epoch: String(NOW + 10), last_update_ts_epoch: String(NOW + 10) });
    for (const symbol of ['OK00', 'TIE']) {
      const fields = (await client.call('HGETALL', PROPOSED_PREFIX + symbol)) as string[];
      expect(fields.filter((_, i) => i % 2 === 0)).toEqual([...FIELDS, 'last_update_ts_epoch']);
      expect(await client.ttl(PROPOSED_PREFIX + symbol)).toBeGreaterThan(590);
    }
    metrics.loopSucceeded(second, 0.01, NOW + 10);
    expect(second.symbols).toBe(998);
    expect(await client.xlen(STREAM)).toBe(outcome.written + second.written);
    expect(await client.hget(PROPOSED_PREFIX + 'OK00', 'ts_epoch')).toBe(String(NOW + 10));
    const series = parseSeries(await metrics.registry.metrics());
    expect(series.has('p29_shadow_multiplier{symbol="OK02"}')).toBe(false);
    expect(series.has('p29_shadow_eff_score{symbol="STALE"}')).toBe(false);
    expect(series.has('p29_shadow_eff_confidence{symbol="STALE"}')).toBe(false);
    expect(series.has('p29_shadow_multiplier{symbol="OK00"}')).toBe(true);
    expect(series.get('p29_shadow_loops_total')).toBe(2);
    expect(series.get('p29_shadow_symbols_per_loop')).toBe(998);
  });

  it('reads efficiency keys only through the target universe (an efficiency-only symbol gets nothing)', async () => {
    await client.hset(EFF_PREFIX + 'ONLYEFF', eff('0.5'));
    await runShadowLoop(client, settings, NOW + 20, metrics);
    expect(await client.exists(PROPOSED_PREFIX + 'ONLYEFF', TARGET_PREFIX + 'ONLYEFF')).toBe(0);
  });
});

