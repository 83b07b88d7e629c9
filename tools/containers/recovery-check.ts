// Checks for tools/containers/run.sh around the governor crash (run with tsx):
//   flowing  --redis-url U --min N         exit 0 once the demo's data flows: the governor group has
//                                          read >= N plans and allocation-target has proposed
//   snapshot --redis-url U --out F         right after the kill: what the dead consumer held
//   check    --redis-url U --snapshot F --killed-at MS --ready-at MS [--timeout S]
//            every plan in the stream up to now is decided exactly once: acknowledged, owning a
//            decision record (or an entry record) that names its entry id, one audit event each,
//            no new dead letters. Exit 1 with the entries that are not.
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';

const PLANS = 'quantum:stream:apply.plan';
const GROUP = 'governor';
const EVENTS = 'quantum:stream:governor.events';
const DLQ = 'quantum:stream:apply.plan.dlq';
const PROPOSALS = 'quantum:stream:allocation.target.proposed';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'redis-url': { type: 'string' }, min: { type: 'string' }, out: { type: 'string' }, snapshot: { type: 'string' },
    'killed-at': { type: 'string' }, 'ready-at': { type: 'string' }, timeout: { type: 'string' },
  },
});
const redis = new Redis(values['redis-url'] ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 2, lazyConnect: true });

interface GroupInfo { entriesRead: number; lastDelivered: string; pending: number; lag: number | null }
async function groupInfo(): Promise<GroupInfo | undefined> {
  const groups = (await redis.xinfo('GROUPS', PLANS).catch(() => [])) as unknown[][];
  for (const g of groups) {
    const m = new Map<string, unknown>();
    for (let i = 0; i < g.length; i += 2) m.set(String(g[i]), g[i + 1]);
    if (m.get('name') === GROUP) {
      return { entriesRead: Number(m.get('entries-read') ?? 0), lastDelivered: String(m.get('last-delivered-id')), pending: Number(m.get('pending')), lag: m.get('lag') === null ? null : Number(m.get('lag')) };
    }
  }
  return undefined;
}
const cmpId = (a: string, b: string): number => {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
};
const fields = (flat: string[]): Map<string, string> => {
  const m = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) m.set(flat[i], flat[i + 1]);
  return m;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function flowing(): Promise<number> {
  // the simulator writes targets, efficiency hashes and plans from its first tick; a loop of
  // allocation-target that ran before that proposes nothing, the next one does
  const info = await groupInfo();
  const proposals = await redis.xlen(PROPOSALS);
  const min = Number(values.min ?? 1);
  if (info && info.entriesRead >= min && proposals > 0) {
    console.log(`flowing: the governor group has read ${info.entriesRead} plans, allocation-target has written ${proposals} proposals`);
    return 0;
  }
  return 1;
}

async function snapshot(): Promise<number> {
  const info = await groupInfo();
  const consumers = (await redis.xinfo('CONSUMERS', PLANS, GROUP).catch(() => [])) as unknown[][];
  const held = consumers.map((c) => {
    const m = new Map<string, unknown>();
    for (let i = 0; i < c.length; i += 2) m.set(String(c[i]), c[i + 1]);
    return `${String(m.get('name'))}: ${Number(m.get('pending'))} pending`;
  });
  const snap = { streamLength: await redis.xlen(PLANS), dlqLength: await redis.xlen(DLQ), group: info, consumers: held };
  writeFileSync(values.out ?? '/dev/stdout', JSON.stringify(snap));
  console.log(`at the kill: ${snap.streamLength} plans in the stream, group read ${info?.entriesRead ?? 0}, pending ${info?.pending ?? 0} (${held.join('; ') || 'no consumer'}), dead letters ${snap.dlqLength}`);
  return 0;
}

async function check(): Promise<number> {
  const snap = JSON.parse(readFileSync(String(values.snapshot), 'utf8')) as { dlqLength: number; group?: GroupInfo };
  const killedAt = Number(values['killed-at']);
  const readyAt = Number(values['ready-at']);
  const deadline = Date.now() + Number(values.timeout ?? 90) * 1000;
  // the cut-off: the newest plan now; the governor must catch up to it with nothing pending
  const last = (await redis.xrevrange(PLANS, '+', '-', 'COUNT', 1))[0]?.[0];
  if (!last) {
    console.log('FAIL: no plan in the stream');
    return 1;
  }
  let info = await groupInfo();
  let pendingUpTo = Infinity;
  while (Date.now() < deadline) {
    info = await groupInfo();
    const pend = (await redis.xpending(PLANS, GROUP, '-', last, 1000)) as unknown[];
    pendingUpTo = pend.length;
    if (info && cmpId(info.lastDelivered, last) >= 0 && pendingUpTo === 0) break;
    await sleep(500);
  }
  const caughtUp = Date.now();
  if (!info || cmpId(info.lastDelivered, last) < 0 || pendingUpTo !== 0) {
    console.log(`FAIL: the governor did not catch up to ${last} within the timeout (last delivered ${info?.lastDelivered}, ${pendingUpTo} pending)`);
    return 1;
  }
  // every plan up to the cut-off
  const entries: [string, string[]][] = [];
  let from = '-';
  for (;;) {
    const batch = (await redis.xrange(PLANS, from, last, 'COUNT', 1000)) as [string, string[]][];
    entries.push(...batch);
    if (batch.length < 1000) break;
    from = `(${batch[batch.length - 1][0]}`;
  }
  // audit events per entry id
  const events = new Map<string, number>();
  from = '-';
  for (;;) {
    const batch = (await redis.xrange(EVENTS, from, '+', 'COUNT', 5000)) as [string, string[]][];
    for (const [, f] of batch) {
      const id = fields(f).get('entry_id') ?? '';
      events.set(id, (events.get(id) ?? 0) + 1);
    }
    if (batch.length < 5000) break;
    from = `(${batch[batch.length - 1][0]}`;
  }
  const problems: string[] = [];
  const outcomes = new Map<string, number>();
  let duringOutage = 0;
  const pipeline = redis.pipeline();
  for (const [id, f] of entries) {
    pipeline.get(`quantum:governor:decision:${fields(f).get('plan_id') ?? ''}`);
    pipeline.get(`quantum:governor:entry:${id}`);
  }
  const replies = (await pipeline.exec()) ?? [];
  entries.forEach(([id], i) => {
    const decision = replies[2 * i]?.[1] as string | null;
    const entry = replies[2 * i + 1]?.[1] as string | null;
    const ms = Number(id.split('-')[0]);
    if (ms >= killedAt && ms <= readyAt) duringOutage += 1;
    let outcome: string | undefined;
    if (decision && decision.split('|')[0] === id) outcome = decision.split('|')[1];
    else if (entry) outcome = entry.split('|')[0];
    if (!outcome) problems.push(`${id}: no decision (decision record: ${decision ?? 'none'}, entry record: ${entry ?? 'none'})`);
    else outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const n = events.get(id) ?? 0;
    if (n !== 1) problems.push(`${id}: ${n} audit events`);
  });
  const dlq = await redis.xlen(DLQ);
  if (dlq !== snap.dlqLength) problems.push(`dead letters ${snap.dlqLength} -> ${dlq}`);
  const summary = [...outcomes].map(([k, v]) => `${k} ${v}`).join(', ');
  if (problems.length > 0) {
    console.log(`FAIL: ${problems.length} problems among ${entries.length} plans up to ${last}:`);
    for (const p of problems.slice(0, 20)) console.log(`  ${p}`);
    return 1;
  }
  console.log(`caught up with ${last} ${caughtUp - readyAt} ms after ready; consumer lag ${info.lag ?? '?'}, 0 pending`);
  console.log(`nothing lost: ${entries.length} plans in the stream (${duringOutage} written while the governor was down), each decided exactly once (${summary}), one audit event each, dead letters ${snap.dlqLength} -> ${dlq}`);
  return 0;
}

async function main(): Promise<number> {
  await redis.connect();
  switch (positionals[0]) {
    case 'flowing': return flowing();
    case 'snapshot': return snapshot();
    case 'check': return check();
    default:
      console.error('usage: recovery-check.ts flowing|snapshot|check ...');
      return 2;
  }
}

main().then(
  (code) => {
    redis.disconnect();
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    redis.disconnect();
    process.exitCode = 1;
  },
);
