import Redis from 'ioredis';
import { Registry } from 'prom-client';
import { createConsumerMetrics, StreamGroupConsumer, type BatchContext, type EntryResult, type StreamEntry, type StreamGroupConsumerOptions } from '../src';
import { startThrowawayRedis, type ThrowawayRedis } from '../src/testing';

const STREAM = 'test:stream';
const GROUP = 'g';

class Recorder {
  readonly handled: StreamEntry[] = [];
  readonly deadLettered: { entry: StreamEntry; reason: string }[] = [];
  readonly events: Record<string, number> = {};
  readonly readiness: boolean[] = [];
  readonly lags: number[] = [];
  result: (entry: StreamEntry) => EntryResult = () => ({ ack: true, outcome: 'ok' });
  delayMs = 0;

  handler = {
    handleBatch: async (entries: readonly StreamEntry[]) => {
      if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
      this.handled.push(...entries);
      return entries.map((e) => this.result(e));
    },
  };
  deadLetter = {
    deadLetter: async (entries: readonly StreamEntry[], reason: string) => {
      for (const entry of entries) this.deadLettered.push({ entry, reason });
    },
  };
  observer = {
    processed: (outcome: string, n: number) => this.bump(`processed:${outcome}`, n),
    reclaimed: (n: number) => this.bump('reclaimed', n),
    deadLettered: (n: number) => this.bump('deadLettered', n),
    trimmed: (n: number) => this.bump('trimmed', n),
    pending: (n: number) => (this.events['pending'] = n),
    lag: (n: number) => this.lags.push(n),
    latency: () => this.bump('latency', 1),
    readiness: (ready: boolean) => this.readiness.push(ready),
  };
  private bump(key: string, n: number) {
    this.events[key] = (this.events[key] ?? 0) + n;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('StreamGroupConsumer (real Redis)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  const running: StreamGroupConsumer[] = [];

  beforeAll(async () => {
    server = await startThrowawayRedis({ appendOnly: true });
    redis = new Redis(server.url, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(() => redis.flushall());
  afterEach(async () => {
    for (const c of running.splice(0)) await c.stop();
  });

  function consumer(rec: Recorder, overrides: Partial<StreamGroupConsumerOptions> = {}): StreamGroupConsumer {
    const command = new Redis(server.url, { maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    command.on('error', () => undefined);
    const c = new StreamGroupConsumer({
      redis: command, stream: STREAM, group: GROUP, consumer: 'c1', handler: rec.handler, deadLetter: rec.deadLetter,
      observer: rec.observer, blockMs: 200, claimIdleMs: 200, reclaimIntervalMs: 100, backoff: { initialMs: 20, maxMs: 200 },
      ...overrides,
    });
    const stop = c.stop.bind(c);
    c.stop = async () => {
      await stop();
      command.disconnect();
    };
    running.push(c);
    return c;
  }

  async function add(n: number, prefix = 'x'): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await redis.xadd(STREAM, '*', 'k', `${prefix}${i}`)) as string);
    return ids;
  }

  async function pendingCount(): Promise<number> {
    return Number(((await redis.xpending(STREAM, GROUP)) as [number])[0]);
  }

  it('creates the group at $ (entries before it are not read), handles and acks new entries in batches', async () => {
    await add(3, 'old');
    const rec = new Recorder();
    const c = consumer(rec, { batchSize: 4 });
    c.start();
    await until(() => c.isReady);
    await add(10);
    await until(() => rec.handled.length === 10);
    expect(rec.handled.map((e) => e.fields[1])).toEqual([...Array(10).keys()].map((i) => `x${i}`));
    expect(rec.handled.map((e) => e.deliveryCount)).toEqual(Array(10).fill(1));
    await until(async () => (await pendingCount()) === 0);
    // the observer hears of an outcome right after its XACK returns, a moment after XPENDING shows 0
    await until(() => rec.events['latency'] === 10);
    expect(rec.events['processed:ok']).toBe(10);
    expect(rec.events['latency']).toBe(10);
  });

  it('recovers its own pending entries after a crash (same name), with the delivery count bumped', async () => {
    await redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    await add(3);
    await redis.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', 10, 'STREAMS', STREAM, '>'); // "crashed" before ack
    const rec = new Recorder();
    consumer(rec).start();
    await until(() => rec.handled.length === 3);
    expect(rec.handled.map((e) => e.deliveryCount)).toEqual([2, 2, 2]);
    await until(async () => (await pendingCount()) === 0);
  });

  it('reclaims entries idle in a dead consumer, dead-letters over-delivered ones, counts trimmed ones', async () => {
    await redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    const ids = await add(4);
    await redis.xreadgroup('GROUP', GROUP, 'dead', 'COUNT', 10, 'STREAMS', STREAM, '>');
    // ids[1] was already delivered 5 times; ids[2] was trimmed away before anyone acked it
    for (let i = 0; i < 4; i++) await redis.xclaim(STREAM, GROUP, 'dead', 0, ids[1]!);
    await redis.xdel(STREAM, ids[2]!);
    const rec = new Recorder();
    consumer(rec, { maxDeliveries: 5 }).start();
    await until(async () => (await pendingCount()) === 0);
    await until(() => rec.events['processed:ok'] === 2 && rec.events['trimmed'] === 1); // see above: just after XACK
    expect(rec.handled.map((e) => [e.id, e.deliveryCount])).toEqual([[ids[0], 2], [ids[3], 2]]);
    expect(rec.deadLettered.map((d) => [d.entry.id, d.entry.deliveryCount, d.reason])).toEqual([[ids[1], 6, 'max_deliveries_exceeded']]);
    expect(rec.events).toMatchObject({ reclaimed: 3, deadLettered: 1, trimmed: 1, 'processed:ok': 2, 'processed:dead_letter': 1 });
  });

  it('leaves unhandled entries pending and retries them until the delivery limit, then dead-letters', async () => {
    const rec = new Recorder();
    rec.result = (e) => (e.fields[1] === 'x1' ? { ack: false, error: new Error('boom') } : { ack: true, outcome: 'ok' });
    const c = consumer(rec, { maxDeliveries: 3 });
    c.start();
    await until(() => c.isReady);
    await add(3);
    await until(() => rec.deadLettered.length === 1);
    expect(rec.handled.filter((e) => e.fields[1] === 'x1').map((e) => e.deliveryCount)).toEqual([1, 2, 3]);
    expect(rec.deadLettered[0]!.entry.deliveryCount).toBe(4);
    await until(async () => (await pendingCount()) === 0);
  });

  it('Redis refusing writes is not the entry\'s fault: no delivery counted, backoff grows, the gauge shows the waiting entries', async () => {
    const rec = new Recorder();
    let refusals = 8; // more than maxDeliveries
    const pendingSeen: number[] = [];
    rec.observer.pending = (n: number) => pendingSeen.push(n);
    const attempts: number[] = [];
    rec.result = () => {
      attempts.push(Date.now());
      return refusals-- > 0 ? { ack: false, error: new Error("OOM command not allowed when used memory > 'maxmemory'.") } : { ack: true, outcome: 'ok' };
    };
    const c = consumer(rec, { maxDeliveries: 3, reclaimIntervalMs: 60_000 });
    c.start();
    await until(() => c.isReady);
    await add(1);
    await until(() => rec.events['processed:ok'] === 1);
    expect(rec.deadLettered).toEqual([]);
    // every delivery after a refusal kept the count of the one before
    expect(rec.handled.map((e) => e.deliveryCount)).toEqual(Array(9).fill(1));
    // the pauses between attempts grow (doubling from 20 ms, jitter at most halves them)
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    expect(gaps[4]!).toBeGreaterThan(gaps[0]! + 20);
    expect(pendingSeen).toContain(1);
    expect(await pendingCount()).toBe(0);
  });

  it('a failure the entry causes still counts while a Redis refusal in between does not', async () => {
    const rec = new Recorder();
    const errors = ['WRONGTYPE Operation against a key holding the wrong kind of value', 'LOADING Redis is loading the dataset in memory', 'WRONGTYPE again', 'WRONGTYPE again'];
    rec.result = () => {
      const message = errors.shift();
      return message ? { ack: false, error: new Error(message) } : { ack: true, outcome: 'ok' };
    };
    const c = consumer(rec, { maxDeliveries: 3 });
    c.start();
    await until(() => c.isReady);
    await add(1);
    await until(() => rec.deadLettered.length === 1);
    expect(rec.handled.map((e) => e.deliveryCount)).toEqual([1, 2, 2, 3]);
    expect(rec.deadLettered[0]!.entry.deliveryCount).toBe(4);
  });

  it('a batch that throws because the connection is gone leaves its entries pending without counting', async () => {
    const rec = new Recorder();
    let throws = 6;
    rec.handler = {
      handleBatch: async (entries: readonly StreamEntry[]) => {
        rec.handled.push(...entries);
        if (throws-- > 0) throw new Error('Connection is closed.');
        return entries.map(() => ({ ack: true, outcome: 'ok' }) as EntryResult);
      },
    };
    const c = consumer(rec, { maxDeliveries: 2 });
    c.start();
    await until(() => c.isReady);
    await add(2);
    await until(() => rec.events['processed:ok'] === 2);
    expect(rec.deadLettered).toEqual([]);
    expect(new Set(rec.handled.map((e) => e.deliveryCount))).toEqual(new Set([1]));
  });

  it('counts entries the producer trimmed before the group read them, once, and keeps the lag true', async () => {
    const rec = new Recorder();
    let trimmedUnread = 0;
    rec.observer = { ...rec.observer, trimmedUnread: (n: number) => (trimmedUnread += n) } as typeof rec.observer;
    await redis.xgroup('CREATE', STREAM, GROUP, '$', 'MKSTREAM');
    // the consumer is down while the producer writes 300 entries and trims to about 100
    for (let i = 0; i < 300; i++) await redis.xadd(STREAM, 'MAXLEN', '100', '*', 'k', `t${i}`);
    const c = consumer(rec, { reclaimIntervalMs: 60_000 });
    c.start();
    await until(() => rec.events['processed:ok'] === 100);
    expect(trimmedUnread).toBe(200);
    // the lag read before the first read was the entries still there
    expect(rec.lags[0]).toBe(100);
    await until(async () => (await pendingCount()) === 0);
  });

  it('hands over a value too large to read whole cut, with its size, on first delivery and on recovery', async () => {
    const rec = new Recorder();
    rec.result = (e) => (e.cut && e.deliveryCount === 1 ? { ack: false, error: new Error('WRONGTYPE retry it') } : { ack: true, outcome: 'ok' });
    const c = consumer(rec, { maxValueBytes: 1024 });
    c.start();
    await until(() => c.isReady);
    await redis.xadd(STREAM, '*', 'k', 'small', 'blob', 'z'.repeat(3 * 1024 * 1024));
    await until(() => rec.events['processed:ok'] === 1);
    expect(rec.handled.map((e) => [e.deliveryCount, e.cut, e.fields[3]!.length])).toEqual([
      [1, [{ index: 3, bytes: 3 * 1024 * 1024 }], 256],
      [2, [{ index: 3, bytes: 3 * 1024 * 1024 }], 256],
    ]);
    expect(rec.handled[0]!.fields.slice(0, 3)).toEqual(['k', 'small', 'blob']);
  });

  it('stops promptly while blocked, and finishes and acks the batch in hand', async () => {
    const rec = new Recorder();
    const c = consumer(rec, { blockMs: 5000 });
    c.start();
    await until(() => c.isReady);
    await new Promise((r) => setTimeout(r, 100));
    let started = Date.now();
    await c.stop();
    expect(Date.now() - started).toBeLessThan(1000);

    const rec2 = new Recorder();
    rec2.delayMs = 500;
    const c2 = consumer(rec2, { blockMs: 5000, consumer: 'c2' });
    c2.start();
    await until(() => c2.isReady);
    await add(5);
    await new Promise((r) => setTimeout(r, 150)); // a batch is in the handler now
    expect(rec2.handled).toHaveLength(0);
    started = Date.now();
    await c2.stop();
    expect(rec2.handled.length).toBeGreaterThan(0);
    expect(await pendingCount()).toBe(0); // what was read got acked; the rest was never read
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports not ready while Redis is away, backs off, recreates a lost group from 0 and resumes', async () => {
    const rec = new Recorder();
    const c = consumer(rec);
    c.start();
    await until(() => c.isReady);
    await server.kill();
    await until(() => !c.isReady);
    await new Promise((r) => setTimeout(r, 300));
    await server.restart();
    await redis.flushall(); // Redis came back empty: group and stream gone
    await add(2, 'after');
    await until(() => rec.handled.length === 2, 15_000);
    expect(rec.handled.map((e) => e.fields[1])).toEqual(['after0', 'after1']);
    expect(c.isReady).toBe(true);
    // ready, not ready while away, ready again (possibly not ready once more for the NOGROUP)
    expect(rec.readiness.slice(0, 2)).toEqual([true, false]);
    expect(rec.readiness[rec.readiness.length - 1]).toBe(true);
  }, 30_000);

  it('does not XACK entries the handler acknowledged itself (atomically with its writes)', async () => {
    const rec = new Recorder();
    const contexts: BatchContext[] = [];
    const handleBatch = rec.handler.handleBatch;
    rec.handler.handleBatch = async (entries: readonly StreamEntry[], context?: BatchContext) => {
      if (context) contexts.push(context);
      return handleBatch(entries);
    };
    // claims to have acknowledged x0 but does not: it must stay pending (the consumer left it alone)
    rec.result = (e) => ({ ack: true, outcome: 'ok', acknowledged: e.fields[1] === 'x0' });
    const c = consumer(rec);
    c.start();
    await until(() => c.isReady);
    const ids = await add(3);
    await until(() => rec.handled.length === 3);
    await until(async () => (await pendingCount()) === 1);
    expect(((await redis.xpending(STREAM, GROUP, '-', '+', 10)) as [string][]).map((p) => p[0])).toEqual([ids[0]]);
    expect(contexts[0]).toEqual({ stream: STREAM, group: GROUP, consumer: 'c1' });
    expect(rec.events['processed:ok']).toBe(3);
  });

  it('maxBatchesInFlight 2: reads and hands over the next batch while one is handled; all acked, stop finishes both', async () => {
    const rec = new Recorder();
    let active = 0;
    let maxActive = 0;
    const handleBatch = rec.handler.handleBatch;
    rec.handler.handleBatch = async (entries: readonly StreamEntry[]) => {
      active += 1;
      maxActive = Math.max(maxActive, active);
      try {
        await new Promise((r) => setTimeout(r, 150));
        return await handleBatch(entries);
      } finally {
        active -= 1;
      }
    };
    const c = consumer(rec, { batchSize: 2, maxBatchesInFlight: 2, blockMs: 5000, reclaimIntervalMs: 60_000 });
    c.start();
    await until(() => c.isReady);
    const addAll = async (n: number, prefix: string) => {
      // one transaction, so that every read finds a full batch
      const tx = redis.multi();
      for (let i = 0; i < n; i++) tx.xadd(STREAM, '*', 'k', `${prefix}${i}`);
      await tx.exec();
    };
    await addAll(8, 'x');
    await until(() => rec.handled.length === 8);
    await until(async () => (await pendingCount()) === 0);
    // the observer hears of an outcome right after its XACK returns, a moment after XPENDING shows 0
    await until(() => rec.events['processed:ok'] === 8);
    expect(maxActive).toBe(2);
    expect(rec.handled.map((e) => e.fields[1])).toEqual([...Array(8).keys()].map((i) => `x${i}`));
    expect(rec.events['processed:ok']).toBe(8);
    // stop while two batches are in hand: both are finished and acknowledged
    await addAll(4, 'y');
    await until(() => active === 2);
    await c.stop();
    expect(await pendingCount()).toBe(0);
    expect(rec.handled).toHaveLength(12);
  });

  it('samples the group lag (entries not yet delivered) with the pending count', async () => {
    await redis.xgroup('CREATE', STREAM, GROUP, '0', 'MKSTREAM');
    await add(3);
    const rec = new Recorder();
    rec.handler.handleBatch = async (entries: readonly StreamEntry[]) => entries.map(() => ({ ack: true, outcome: 'ok' }) as EntryResult);
    const c = consumer(rec, { reclaimIntervalMs: 50 });
    c.start();
    await until(() => rec.lags.length >= 2);
    expect(rec.lags[0]).toBe(3); // sampled before the first read
    await until(() => rec.lags[rec.lags.length - 1] === 0);
  });

  it('consumer metrics: names chosen by the app, null leaves a metric out', async () => {
    const registry = new Registry();
    const m = createConsumerMetrics({ registry, prefix: 'svc', names: { processed: null, pending: 'svc_pending_messages', lag: 'svc_consumer_lag' } });
    m.observer.lag?.(7);
    m.observer.pending?.(2);
    expect(m.observer.processed).toBeUndefined();
    const names = (await registry.getMetricsAsJSON()).map((x) => x.name).sort();
    expect(names).toEqual(['svc_consumer_lag', 'svc_dead_lettered_total', 'svc_decision_latency_seconds', 'svc_pending_messages', 'svc_reclaimed_total', 'svc_trimmed_before_ack_total', 'svc_trimmed_before_read_total']);
    expect((await m.lag!.get()).values[0]!.value).toBe(7);
  });
});
