/**
 * Redis memory per decided plan and per symbol, measured (docs/operations.md, "Capacity").
 *
 *   npx tsx --conditions=@quantum/source tools/bench/src/capacity.ts      (PLANS=n, SYMBOLS=n)
 *
 * A throwaway Redis, the built bundles of both services (what the images run) and the
 * simulator's data (tools/simulator/src: the real producers' plan shapes; targets, efficiency and
 * market hashes of SYMBOLS symbols). Per run, on a flushed Redis holding the upstream hashes,
 * PLANS plans are published (`XADD`, as the apply layer does), then the governor bundle is
 * started, decides them all and is stopped. The runs (the reason is part of the decision record,
 * so each outcome with the shortest and the longest reason a real producer's plan can get):
 *   permitted     EXECUTE plans of both producers; every limit off, prices from the market hashes (`ok`);
 *                 the intent bridge's opens with no price, `GOV_NOTIONAL_UNKNOWN=allow` (`notional_unknown_allowed`)
 *   blocked       the EXECUTE plans with the kill switch on (`kill_switch_active`); the opens with
 *                 `GOV_MAX_NOTIONAL_PER_TRADE_USDT=0.01` (`notional_per_trade_exceeded`)
 *   skipped       the apply layer's SKIP, BLOCKED and ERROR plans
 *   dead_letter   plans of both producers with `kill_score` (apply layer) or `qty` (intent bridge) `nan`
 *   duplicate     the skipped plans sent again once decided (`already_decided`; the first pass is not counted)
 * A run fails unless every plan got the run's outcome.
 *
 * Memory = `used_memory` (INFO memory) after `MEMORY PURGE` and a second's pause (Redis finishes
 * resizing its key tables), less client buffers (`mem_clients_normal`) and the script cache
 * (`used_memory_scripts_eval`), with no service connected; the slow log and the per-command
 * latency histograms are off (fixed costs that would otherwise land in the first run). Split of
 * the governor's delta:
 *   - keys (decision, entry, permit, block records; gate states): `MEMORY USAGE` of every key;
 *   - streams (plans, audit events, DLQ): the drop of used_memory when the stream is deleted,
 *     divided by its length (exact; `MEMORY USAGE` of a stream is an estimate);
 *   - "key tables": the rest, i.e. what `MEMORY USAGE` of a key leaves out (its expiry entry, the
 *     slots of the main and expiry tables, allocator rounding), also given per key written.
 * `PERMIT_TTL_SEC=3600` only so that no permit expires before it is counted.
 * Per symbol: the gate states after the permitted run (a symbol with 32 or more permits holds the
 * full 32 times), the upstream hashes, and after one allocation-target loop (its bundle) its
 * proposal hash and proposal stream entry.
 */
import Redis from 'ioredis';
import { BLOCK_KEY_PREFIX, PERMIT_KEY_PREFIX } from '@quantum/config';
import { startThrowawayRedis } from '@quantum/redis-streams/testing';
import { KEYS, PLAN_STREAM_MAXLEN } from '@quantum/cli-support/keys';
import { DEFAULT_MARKET_KEY_PATTERN } from '@quantum/simulator/market-key';
import { Simulator, type PlanRecord } from '@quantum/simulator/simulator';
import { publishPlans, writeTick } from '@quantum/simulator/writer';
import { groupDone } from './fixed-load';
import { sleep } from './governor.bench';
import { serviceBundle, startBundle } from './service-bundle';

const PLANS = Number(process.env['PLANS'] ?? 10_000);
const SYMBOLS = Number(process.env['SYMBOLS'] ?? 500);
const GOVERNOR_ENV = {
  GOV_CONSUMER_NAME: 'capacity', GOV_PRICE_KEY_PATTERN: DEFAULT_MARKET_KEY_PATTERN, PERMIT_TTL_SEC: '3600',
  GOV_SYMBOL_COOLDOWN_SECONDS: '0', GOV_MAX_EXEC_PER_HOUR: '0', GOV_MAX_EXEC_PER_5MIN: '0',
  GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0', GOV_MAX_NOTIONAL_PER_DAY_USD: '0',
};
/** The governor's keys, by column (decision, entry and gate state: its own records, apps/governor/src/keys.ts). */
const RECORDS = {
  decision: 'quantum:governor:decision:*', entry: 'quantum:governor:entry:*', permit: `${PERMIT_KEY_PREFIX}*`,
  block: `${BLOCK_KEY_PREFIX}*`, 'gate state': 'quantum:governor:gate:*',
} as const;

type Row = Record<string, number | string>;
interface Bytes { count: number; total: number; max: number }
interface Run { redis: Redis; url: string; governor: string; sim: Simulator }


/** used_memory less client buffers and the script cache, after MEMORY PURGE and a pause for rehashing. */
async function usedMemory(redis: Redis): Promise<number> {
  await redis.call('MEMORY', 'PURGE').catch(() => undefined);
  await sleep(1000);
  const info = await redis.info('memory');
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return field('used_memory') - field('mem_clients_normal') - field('used_memory_scripts_eval');
}

/** MEMORY USAGE of every key matching `pattern`. */
async function keyBytes(redis: Redis, pattern: string): Promise<Bytes> {
  const keys: string[] = [];
  for await (const batch of redis.scanStream({ match: pattern, count: 1000 })) keys.push(...(batch as string[]));
  const pipe = redis.pipeline();
  for (const k of keys) pipe.call('MEMORY', 'USAGE', k);
  const sizes = ((await pipe.exec()) ?? []).map(([, v]) => Number(v));
  return { count: keys.length, total: sizes.reduce((a, b) => a + b, 0), max: Math.max(0, ...sizes) };
}

/** Deletes a stream; returns its bytes per entry (the drop of used_memory / its length) and its length. */
async function dropStream(redis: Redis, stream: string): Promise<{ perEntry: number; length: number }> {
  const length = await redis.xlen(stream);
  if (length === 0) return { perEntry: 0, length };
  const before = await usedMemory(redis);
  await redis.del(stream);
  return { perEntry: (before - (await usedMemory(redis))) / length, length };
}

/**
 * Publishes `plans` (never trimmed here: every one must be decided), runs the governor until each
 * has its event and the group has nothing left, stops it.
 */
async function decide(run: Run, plans: readonly PlanRecord[], env: Record<string, string> = {}): Promise<void> {
  const events = (await run.redis.xlen(KEYS.governorEvents)) + plans.length;
  await publishPlans(run.redis, plans, Math.max(PLAN_STREAM_MAXLEN, plans.length));
  const governor = await startBundle(run.governor, run.url, { ...GOVERNOR_ENV, ...env });
  while ((await run.redis.xlen(KEYS.governorEvents)) < events || !(await groupDone(run.redis))) await sleep(50);
  await governor.stop();
}

/** MEMORY USAGE of the governor's keys, by column. */
async function recordBytes(redis: Redis): Promise<Map<string, Bytes>> {
  const out = new Map<string, Bytes>();
  for (const [name, pattern] of Object.entries(RECORDS)) out.set(name, await keyBytes(redis, pattern));
  return out;
}

/** An empty plan stream with the governor's group. */
async function emptyPlanStream(redis: Redis): Promise<void> {
  await redis.del(KEYS.planStream);
  await redis.xgroup('CREATE', KEYS.planStream, KEYS.governorGroup, '0', 'MKSTREAM');
}

interface RunOptions {
  /** Decided first and not counted (their plan stream entries are deleted before the run). */
  readonly before?: readonly PlanRecord[];
  /** Governor variables on top of GOVERNOR_ENV. */
  readonly env?: Record<string, string>;
  readonly killSwitch?: boolean;
}

/** One outcome on a flushed Redis holding the upstream hashes: bytes per plan, split. */
async function outcomeRow(run: Run, outcome: string, plans: readonly PlanRecord[], options: RunOptions = {}): Promise<{ row: Row; gates: Bytes }> {
  const { redis } = run;
  const n = plans.length;
  await redis.flushall();
  await writeTick(redis, run.sim.tick(Date.now() / 1000)); // fresh prices: GOV_PRICE_MAX_AGE_SEC is 60
  if (options.killSwitch) await redis.set(KEYS.kill, '1');
  await emptyPlanStream(redis);
  if (options.before) {
    await decide(run, options.before, options.env);
    await emptyPlanStream(redis);
  }
  const events0 = await redis.xlen(KEYS.governorEvents);
  const keys0 = await recordBytes(redis);
  const m0 = await usedMemory(redis);
  await decide(run, plans, options.env);
  const m1 = await usedMemory(redis);

  // every plan of the run must have got the run's outcome
  const events = await redis.xrange(KEYS.governorEvents, '-', '+');
  const reasons = new Set(events.slice(events0).map(([, f]) => `${f[5]}|${f[7]}`));
  if ([...reasons].some((r) => !r.startsWith(`${outcome}|`))) throw new Error(`${outcome} run: ${[...reasons].join(', ')}`);

  const keys1 = await recordBytes(redis);
  const plan = await dropStream(redis, KEYS.planStream);
  const reason = [...reasons].map((r) => r.split('|')[1]).join(',');
  const row: Row = { outcome, reason, 'plan entry': plan.perEntry, 'governor Δ': (m1 - m0) / n - plan.perEntry };
  let counted = 0;
  let keys = 0;
  for (const name of Object.keys(RECORDS)) {
    const [b0, b1] = [keys0.get(name), keys1.get(name)];
    row[name] = ((b1?.total ?? 0) - (b0?.total ?? 0)) / n;
    counted += (b1?.total ?? 0) - (b0?.total ?? 0);
    keys += (b1?.count ?? 0) - (b0?.count ?? 0);
  }
  const gates = await keyBytes(redis, RECORDS['gate state']);
  for (const [name, stream] of [['event', KEYS.governorEvents], ['DLQ entry', KEYS.planDlq]] as const) {
    const before = stream === KEYS.governorEvents ? events0 : 0;
    const s = await dropStream(redis, stream);
    row[name] = (s.perEntry * (s.length - before)) / n;
    counted += s.perEntry * (s.length - before);
  }
  const rest = m1 - m0 - plan.perEntry * plan.length - counted;
  row['key tables'] = rest / n;
  row['key tables per key'] = rest / Math.max(1, keys);
  return { row, gates };
}

/** Per symbol: the gate states of the permitted run, the upstream hashes, one allocation-target loop. */
async function symbolRows(run: Run, allocation: string, gates: Bytes): Promise<Row[]> {
  const { redis } = run;
  const tick = run.sim.tick(Date.now() / 1000);
  const symbols = tick.targets.length;
  const mean = async (item: string, pattern: string) => {
    const b = await keyBytes(redis, pattern);
    return { item, keys: b.count, bytes: b.total / Math.max(1, b.count) };
  };
  const rows: Row[] = [
    { item: 'gate state, mean', keys: gates.count, bytes: gates.total / Math.max(1, gates.count) },
    { item: 'gate state, full (max)', keys: gates.count, bytes: gates.max },
  ];
  await redis.flushall();
  const m0 = await usedMemory(redis);
  await writeTick(redis, tick);
  const m1 = await usedMemory(redis);
  rows.push(
    { item: 'upstream hashes (Δ)', keys: symbols, bytes: (m1 - m0) / symbols },
    await mean('allocation target hash (upstream)', KEYS.target('*')),
    await mean('efficiency hash (upstream)', KEYS.efficiency('*')),
    await mean('market hash (upstream)', DEFAULT_MARKET_KEY_PATTERN.replace('{SYMBOL}', '*')),
  );
  const service = await startBundle(allocation, run.url, { LOOP_INTERVAL_SEC: '3600' });
  while ((await redis.xlen(KEYS.proposedStream)) < symbols) await sleep(50);
  await service.stop();
  const m2 = await usedMemory(redis);
  const stream = await dropStream(redis, KEYS.proposedStream);
  rows.push(
    { item: 'allocation-target loop (Δ)', keys: symbols, bytes: (m2 - m1) / symbols },
    await mean('proposal hash', KEYS.proposed('*')),
    { item: 'proposal stream entry', keys: stream.length, bytes: stream.perEntry },
  );
  return rows;
}

function table(rows: readonly Row[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const cell = (v: number | string | undefined) => (typeof v === 'number' ? v.toFixed(Number.isInteger(v) ? 0 : 1) : (v ?? ''));
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) => vals.map((v, i) => (i === 0 ? v.padEnd(width[i] ?? 0) : v.padStart(width[i] ?? 0))).join('  ');
  return [line(cols), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

async function main(): Promise<void> {
  const governor = serviceBundle('governor');
  const allocation = serviceBundle('allocation-target');
  const server = await startThrowawayRedis();
  const redis = new Redis(server.url);
  try {
    // fixed costs that would land in the first run: the slow log, per-command latency histograms
    await redis.config('SET', 'slowlog-log-slower-than', '-1');
    await redis.config('SET', 'latency-tracking', 'no').catch(() => undefined);
    const sim = new Simulator({ seed: 20261207, symbols: SYMBOLS });
    const now = Date.now() / 1000;
    const run: Run = { redis, url: server.url, governor, sim };
    // the real producers' plans in their mix, sorted by what the governor makes of them
    const execute: PlanRecord[] = [];
    const opens: PlanRecord[] = []; // intent bridge, not reduce-only: the plans gate 6 applies to
    const skip: PlanRecord[] = [];
    while (execute.length < PLANS || opens.length < PLANS || skip.length < PLANS) {
      const p = sim.nextPlan(now);
      if (p.decision !== 'EXECUTE') skip.push(p);
      else execute.push(p);
      if (p.fields['reduceOnly'] === 'false') opens.push(p);
    }
    const broken = Array.from({ length: PLANS }, () => sim.nextPlan(now))
      .map((p) => ({ ...p, fields: { ...p.fields, [p.producer === 'apply_layer' ? 'kill_score' : 'qty']: 'nan' } }));
    const first = <T>(list: T[]) => list.slice(0, PLANS);

    const permitted = await outcomeRow(run, 'permitted', first(execute));
    const rows = [
      permitted.row,
      (await outcomeRow(run, 'permitted', first(opens), { env: { GOV_PRICE_KEY_PATTERN: 'capacity:no-price:{SYMBOL}', GOV_NOTIONAL_UNKNOWN: 'allow', GOV_MAX_NOTIONAL_PER_TRADE_USDT: '1000000000' } })).row,
      (await outcomeRow(run, 'blocked', first(execute), { killSwitch: true })).row,
      (await outcomeRow(run, 'blocked', first(opens), { env: { GOV_MAX_NOTIONAL_PER_TRADE_USDT: '0.01' } })).row,
      (await outcomeRow(run, 'skipped', first(skip))).row,
      (await outcomeRow(run, 'dead_letter', broken)).row,
      (await outcomeRow(run, 'duplicate', first(skip), { before: first(skip) })).row,
    ];
    const symbols = await symbolRows(run, allocation, permitted.gates);

    const version = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1];
    console.log(`\nRedis ${version}, ${PLANS} plans per outcome, ${SYMBOLS} symbols, ${new Date().toISOString()}`);
    console.log('\nBytes per decided plan (governor Δ: used_memory delta of deciding, less the plan entries; keys: MEMORY USAGE; streams: used_memory drop on DEL):\n');
    console.log(table(rows));
    console.log('\nBytes per symbol (MEMORY USAGE per key; Δ: used_memory delta / symbols; stream: used_memory drop on DEL / entries):\n');
    console.log(table(symbols));
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
