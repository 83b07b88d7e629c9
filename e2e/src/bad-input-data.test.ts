/**
 * BAD INPUT — streams and hashes. Both built services (child processes) on one throwaway Redis fed
 * hostile data: oversized fields, invalid UTF-8 bytes (Buffers), wrong key types (WRONGTYPE),
 * missing fields, huge numbers (1e308, 1e309, 400 digits). Nothing crashes, both stay ready,
 * every bad plan is dead-lettered with its reason, every bad hash gives invalid_target/invalid_eff.
 */
import Redis from 'ioredis';
import { RedisServerProcess } from '@quantum/redis-streams/testing';
import { ensureBuilt, fieldsToMap, httpGet, readyStatus, sleep, startService, waitFor, type ServiceChild } from './chaos/support';

jest.setTimeout(120_000);

const PLAN_STREAM = 'quantum:stream:apply.plan';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';
const GARBAGE = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x00, 0xf0, 0x90, 0x28, 0xbc]);
const BIG400 = `1${'0'.repeat(400)}`;

type V = string | Buffer;
function plan(id: V | undefined, over: Record<string, V | undefined> = {}, extra: V[] = []): V[] {
  const f: Record<string, V | undefined> = { plan_id: id, symbol: 'BADUSDT', action: 'OPEN_PROPOSED', decision: 'EXECUTE', kill_score: '0.1', side: 'BUY', qty: '1', price: '10', timestamp: '1700000000', ...over };
  const out: V[] = [];
  for (const [k, v] of Object.entries(f)) if (v !== undefined) out.push(k, v);
  return [...out, ...extra];
}

/** [label, fields, expected dead-letter reason] */
const BAD_PLANS: [string, V[], string | RegExp][] = [
  ['missing plan_id', plan(undefined), 'missing_plan_id'],
  ['missing symbol', plan('b-nosym', { symbol: undefined }), 'missing_symbol'],
  ['missing decision', plan('b-nodec', { decision: undefined }), 'missing_decision'],
  ['close_qty garbage', plan('b-cqty', { qty: undefined, close_qty: 'all' }), 'invalid_close_qty'],
  ['reduceOnly garbage', plan('b-ro', { reduceOnly: 'maybe' }), 'invalid_reduce_only'],
  ['empty plan_id', plan(''), /^(missing|invalid)_plan_id$/],
  ['plan_id with a space', plan('a b'), 'invalid_plan_id'],
  ['plan_id 129 chars', plan('p'.repeat(129)), /^(invalid_plan_id|field_too_large:plan_id)$/],
  ['binary plan_id', plan(GARBAGE), 'invalid_plan_id'],
  ['binary symbol', plan('b-binsym', { symbol: GARBAGE }), 'invalid_symbol'],
  ['binary qty', plan('b-binqty', { qty: GARBAGE }), 'invalid_qty'],
  ['binary price', plan('b-binprice', { price: GARBAGE }), 'invalid_price'],
  ['binary decision', plan('b-bindec', { decision: GARBAGE }), 'invalid_decision'],
  ['oversized side (300 B)', plan('b-bigside', { side: 'S'.repeat(300) }), 'field_too_large:side'],
  ['oversized qty (10 kB of digits)', plan('b-bigqty', { qty: '1'.repeat(10_000) }), /^(field_too_large:qty|invalid_qty)$/],
  ['entry over 64 KiB (an ignored field)', plan('b-huge', {}, ['blob', 'x'.repeat(70_000)]), 'entry_too_large'],
  ['qty given twice', plan('b-twice', {}, ['qty', '2']), 'duplicate_field:qty'],
  ['qty 1e309', plan('b-1e309', { qty: '1e309' }), 'invalid_qty'],
  ['qty 400 digits', plan('b-400', { qty: BIG400 }), /^(invalid_qty|field_too_large:qty)$/],
  ['price 1e309', plan('b-p1e309', { price: '1e309' }), 'invalid_price'],
  ['qty NaN', plan('b-nan', { qty: 'NaN' }), 'invalid_qty'],
  ['qty Infinity', plan('b-inf', { qty: 'Infinity' }), 'invalid_qty'],
  ['qty -1', plan('b-neg', { qty: '-1' }), 'invalid_qty'],
  ['qty hex', plan('b-hex', { qty: '0x10' }), 'invalid_qty'],
  ['qty " 1"', plan('b-space', { qty: ' 1' }), 'invalid_qty'],
  ['kill_score 1.5', plan('b-ks', { kill_score: '1.5' }), 'invalid_kill_score'],
  ['kill_score 1e308', plan('b-ks308', { kill_score: '1e308' }), 'invalid_kill_score'],
  ['SKIP with garbage qty', plan('b-skipqty', { decision: 'SKIP', qty: 'abc' }), 'invalid_qty'],
];

describe('hostile stream entries and hashes against both built services', () => {
  let server: RedisServerProcess;
  let admin: Redis;
  const children: ServiceChild[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    server = await RedisServerProcess.start();
    admin = new Redis({ host: server.host, port: server.port });
  }, 300_000);
  afterEach(async () => {
    for (const c of children.splice(0)) await c.kill('SIGKILL');
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  async function start(app: 'allocation-target' | 'governor', env: Record<string, string> = {}): Promise<ServiceChild> {
    const c = await startService(app, { REDIS_URL: server.url, LOG_LEVEL: 'warn', ...env });
    children.push(c);
    await waitFor(`${app} ready`, async () => (await readyStatus(c)) === 200);
    return c;
  }

  it('governor: every bad plan is dead-lettered with its reason; good plans around them are decided; it stays ready', async () => {
    await admin.flushall();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    // efficiency hashes of the good plans' symbols: a string (WRONGTYPE) and garbage fields
    await admin.set('quantum:capital:efficiency:GOODAUSDT', 'not a hash');
    await admin.hset('quantum:capital:efficiency:GOODBUSDT', { efficiency_score: GARBAGE, confidence: '1e309', ts: BIG400 });
    const gov = await start('governor', { GOV_SYMBOL_COOLDOWN_SECONDS: '0' });
    const ids: string[] = [];
    for (const [, fields] of BAD_PLANS) ids.push((await admin.xadd(PLAN_STREAM, '*', ...(fields as string[])))!);
    await admin.xadd(PLAN_STREAM, '*', ...(plan('good-a', { symbol: 'GOODAUSDT' }) as string[]));
    await admin.xadd(PLAN_STREAM, '*', ...(plan('good-b', { symbol: 'GOODBUSDT' }) as string[]));
    await waitFor('all decided', async () => (await admin.xlen(EVENTS)) >= BAD_PLANS.length + 2);

    const events = new Map(((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => [fieldsToMap(f)['entry_id']!, fieldsToMap(f)]));
    const dlq = new Map(((await admin.xrange(DLQ, '-', '+')) as [string, string[]][]).map(([, f]) => [fieldsToMap(f)['dlq_entry_id']!, fieldsToMap(f)]));
    const wrong: string[] = [];
    BAD_PLANS.forEach(([label, , reason], k) => {
      const e = events.get(ids[k]!);
      const d = dlq.get(ids[k]!);
      const ok = e?.['outcome'] === 'dead_letter' && (typeof reason === 'string' ? e['reason'] === reason : reason.test(e['reason'] ?? '')) && d?.['dlq_error'] === e['reason'];
      if (!ok) wrong.push(`${label}: event ${JSON.stringify(e)} dlq_error ${d?.['dlq_error']}`);
    });
    expect(wrong).toEqual([]);
    expect(dlq.size).toBe(BAD_PLANS.length);
    // unreadable efficiency never blocks: a neutral hint
    // a key of the wrong type is bad data (invalid_eff), as in allocation-target
    for (const [id, reason] of [['good-a', 'invalid_eff'], ['good-b', 'invalid_eff']]) {
      const permit = JSON.parse((await admin.get(`quantum:permit:${id}`)) ?? '{}') as Record<string, unknown>;
      expect(permit).toMatchObject({ granted: true, eff_reason: reason, eff_factor: '1.0000', eff_action: 'NONE' });
    }
    expect(Number(((await admin.xpending(PLAN_STREAM, 'governor')) as [number])[0])).toBe(0);
    expect(await readyStatus(gov)).toBe(200);
    expect(gov.process.exitCode).toBeNull();
  });

  it('governor: quantum:kill as a hash (WRONGTYPE) fails closed: no permit, dead-lettered after GOV_MAX_DELIVERIES, still ready', async () => {
    await admin.flushall();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    await admin.hset('quantum:kill', { on: '1' });
    const gov = await start('governor', { GOV_MAX_DELIVERIES: '2', GOV_CLAIM_IDLE_MS: '1000' });
    const id = (await admin.xadd(PLAN_STREAM, '*', ...(plan('k-hash') as string[])))!;
    await admin.xadd(PLAN_STREAM, '*', ...(plan('k-skip', { decision: 'SKIP' }) as string[]));
    const event = await waitFor('a decision for the EXECUTE plan', async () => {
      const all = ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][]).map(([, f]) => fieldsToMap(f));
      return all.find((e) => e['entry_id'] === id);
    }, 30_000);
    expect(event).toMatchObject({ outcome: 'dead_letter', reason: 'max_deliveries_exceeded' });
    expect(await admin.exists('quantum:permit:k-hash')).toBe(0);
    expect(await readyStatus(gov)).toBe(200);
  });

  // FINDING (governor, plan/permit): qty 1e308 × price 10 overflows to Infinity; with the notional
  // limits off the plan is permitted with "computed_notional": null (JSON of Infinity), which the
  // docs reserve for "price unknown". Expected: refused as invalid (or blocked), never a permit
  // with a made-up null notional. With a notional limit on it is blocked (fail closed; tested below).
  it('governor: a plan whose qty × price overflows is dead-lettered, never permitted with a null notional', async () => {
    await admin.flushall();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    await start('governor', { GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0', GOV_MAX_NOTIONAL_PER_DAY_USD: '0' });
    await admin.xadd(PLAN_STREAM, '*', ...(plan('ovf', { qty: '1e308', price: '10' }) as string[]));
    await waitFor('decided', async () => (await admin.xlen(EVENTS)) >= 1);
    expect(await admin.get('quantum:permit:ovf')).toBeNull();
    const [, f] = ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][])[0]!;
    expect(fieldsToMap(f)).toMatchObject({ outcome: 'dead_letter', reason: 'notional_overflow' });
  });

  it('governor: an overflowing notional with the default limits is dead-lettered too', async () => {
    await admin.flushall();
    await admin.xgroup('CREATE', PLAN_STREAM, 'governor', '$', 'MKSTREAM');
    await start('governor');
    await admin.xadd(PLAN_STREAM, '*', ...(plan('ovf2', { qty: '1e308', price: '10' }) as string[]));
    await waitFor('decided', async () => (await admin.xlen(EVENTS)) >= 1);
    const [, f] = ((await admin.xrange(EVENTS, '-', '+')) as [string, string[]][])[0]!;
    expect(fieldsToMap(f)).toMatchObject({ outcome: 'dead_letter', reason: 'notional_overflow' });
  });

  it('allocation-target: every bad target gives invalid_target (no proposal), every bad efficiency hash invalid_eff; it stays ready', async () => {
    await admin.flushall();
    const now = String(Math.floor(Date.now() / 1000));
    const eff = (s: string, f: Record<string, V>) => admin.hset(`quantum:capital:efficiency:${s}`, f);
    const tgt = (s: string, usd: V) => admin.hset(`quantum:allocation:target:${s}`, { target_usd: usd, confidence: '0.9' });
    const good = { efficiency_score: '0.5', confidence: '0.9', ts: now };
    const badTargets: Record<string, () => Promise<unknown>> = {
      TLIST: () => admin.rpush('quantum:allocation:target:TLIST', 'a', 'b'),
      TSTRING: () => admin.set('quantum:allocation:target:TSTRING', '1000'),
      TMISSING: () => admin.hset('quantum:allocation:target:TMISSING', { confidence: '0.9' }),
      TEMPTY: () => tgt('TEMPTY', ''),
      TBINARY: () => tgt('TBINARY', GARBAGE),
      T1E309: () => tgt('T1E309', '1e309'),
      T400: () => tgt('T400', BIG400),
      TOVERFLOW: () => tgt('TOVERFLOW', '1.7e308'), // × 1.5 overflows
      TNEG: () => tgt('TNEG', '-5'),
      TNAN: () => tgt('TNAN', 'NaN'),
      TBIG: () => tgt('TBIG', '9'.repeat(100_000)),
    };
    for (const [s, make] of Object.entries(badTargets)) {
      await make();
      await eff(s, { ...good, efficiency_score: '1' });
    }
    const badEff: Record<string, () => Promise<unknown>> = {
      ESTRING: () => admin.set('quantum:capital:efficiency:ESTRING', '0.5'),
      ELIST: () => admin.rpush('quantum:capital:efficiency:ELIST', '0.5'),
      EMISSING: () => eff('EMISSING', { other: '1' }),
      ENOCONF: () => eff('ENOCONF', { efficiency_score: '0.5', ts: now }),
      EBINARY: () => eff('EBINARY', { ...good, efficiency_score: GARBAGE }),
      E1E308: () => eff('E1E308', { ...good, efficiency_score: '1e308' }),
      E1E309: () => eff('E1E309', { ...good, confidence: '1e309' }),
      E400: () => eff('E400', { ...good, ts: BIG400 }),
      EFUTURE: () => eff('EFUTURE', { ...good, ts: String(Number(now) + 3600) }),
      ENAN: () => eff('ENAN', { ...good, efficiency_score: 'NaN' }),
    };
    for (const [s, make] of Object.entries(badEff)) {
      await make();
      await tgt(s, '1000');
    }
    await tgt('BIGOK', '1e308'); // huge but valid: × multiplier 1 stays finite
    await eff('BIGOK', good);
    await tgt('DECIMAL400', `0.${'1'.repeat(400)}`); // 400 digits, a valid small decimal
    await eff('DECIMAL400', good);
    await tgt('EBIGFIELD', '1000'); // a 100 000-digit score: a plain finite decimal, so usable
    await eff('EBIGFIELD', { ...good, efficiency_score: `0.${'5'.repeat(100_000)}` });

    const at = await start('allocation-target', { LOOP_INTERVAL_SEC: '0.5' });
    await sleep(1500);
    const hash = (s: string) => admin.hgetall(`quantum:allocation:target:proposed:${s}`);
    const wrong: string[] = [];
    for (const s of Object.keys(badTargets)) if (Object.keys(await hash(s)).length > 0) wrong.push(`${s}: proposal written for an invalid target`);
    for (const s of Object.keys(badEff)) {
      const h = await hash(s);
      if (h['reason'] !== 'invalid_eff' || h['multiplier'] !== '1.0000' || h['eff_score'] !== '' || h['proposed_target'] !== '1000.00') wrong.push(`${s}: ${JSON.stringify(h)}`);
    }
    expect(wrong).toEqual([]);
    expect(await hash('BIGOK')).toMatchObject({ reason: 'ok', multiplier: '1.0000' });
    expect(await hash('DECIMAL400')).toMatchObject({ reason: 'ok' });
    expect(await hash('EBIGFIELD')).toMatchObject({ reason: 'ok', eff_score: '0.5555555555555556' });
    const metrics = (await httpGet(`${at.metricsUrl}/metrics`)).body;
    const count = (reason: string) => Number(new RegExp(`p29_shadow_proposed_total\\{[^}]*reason="${reason}"[^}]*\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    // one batch per loop: each loop adds exactly one count per bad symbol
    expect(count('invalid_target')).toBeGreaterThanOrEqual(Object.keys(badTargets).length);
    expect(count('invalid_target') % Object.keys(badTargets).length).toBe(0);
    expect(count('invalid_eff')).toBeGreaterThanOrEqual(Object.keys(badEff).length);
    expect(count('invalid_eff') % Object.keys(badEff).length).toBe(0);
    expect(await readyStatus(at)).toBe(200);
    expect(at.process.exitCode).toBeNull();
    // the target keys are untouched (shadow mode), even the wrong-typed ones
    expect(await admin.type('quantum:allocation:target:TLIST')).toBe('list');
    expect(await admin.hget('quantum:allocation:target:TBIG', 'target_usd')).toHaveLength(100_000);
  });
});
