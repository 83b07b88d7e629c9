import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { injectCommand } from '../src/commands/inject';
import { captureOutput as capture } from './capture-output';

describe('ctl inject (real Redis)', () => {
  let server: ThrowawayRedis;
  let redis: Redis;
  const inject = (...args: string[]) => capture(() => injectCommand.run([...args, '--redis-url', server.url]));

  beforeAll(async () => {
    server = await startThrowawayRedis();
    redis = new Redis(server.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });
  beforeEach(async () => {
    await redis.flushdb();
  });

  it('writes an efficiency hash exactly as given, with its expiry', async () => {
    const r = await inject('efficiency', 'BTCUSDT', '--score', '0.2', '--confidence', '0.9', '--ts', '1700000000');
    expect(r.code).toBe(0);
    expect(r.out).toContain('efficiency BTCUSDT score=0.2 confidence=0.9 ts=1700000000');
    expect(await redis.hgetall('quantum:capital:efficiency:BTCUSDT')).toEqual({ efficiency_score: '0.2', confidence: '0.9', ts: '1700000000' });
    const ttl = await redis.ttl('quantum:capital:efficiency:BTCUSDT');
    expect(ttl).toBeGreaterThan(590);
    expect(ttl).toBeLessThanOrEqual(600);
  });

  it('--ts now writes the current epoch second and replaces the whole hash', async () => {
    await redis.hset('quantum:capital:efficiency:ETHUSDT', { stale_field: 'x' });
    const before = Math.floor(Date.now() / 1000);
    expect((await inject('efficiency', 'ETHUSDT', '--score', '1e-05', '--confidence', '0.65', '--ts', 'now')).code).toBe(0);
    const hash = await redis.hgetall('quantum:capital:efficiency:ETHUSDT');
    expect(hash['stale_field']).toBeUndefined();
    expect(hash['efficiency_score']).toBe('1e-05');
    expect(Number(hash['ts'])).toBeGreaterThanOrEqual(before);
    expect(Number(hash['ts'])).toBeLessThanOrEqual(before + 2);
  });

  it('writes a target with EX 300', async () => {
    const r = await inject('target', 'BTCUSDT', '--usd', '1000');
    expect(r.code).toBe(0);
    const hash = await redis.hgetall('quantum:allocation:target:BTCUSDT');
    expect(hash).toMatchObject({ target_usd: '1000', mode: 'live' });
    expect(Object.keys(hash)).toEqual(['target_usd', 'weight', 'confidence', 'timestamp', 'mode']);
    expect(await redis.ttl('quantum:allocation:target:BTCUSDT')).toBeGreaterThan(290);
  });

  it('publishes a plan and prints its plan id and stream id', async () => {
    const r = await inject('plan', '--symbol', 'BTCUSDT', '--action', 'OPEN_PROPOSED', '--decision', 'EXECUTE', '--qty', '0.01', '--price', '50000');
    expect(r.code).toBe(0);
    const match = /plan ([0-9a-f]{16}) BTCUSDT OPEN_PROPOSED EXECUTE -> (\d+-\d+)/.exec(r.out);
    expect(match).not.toBeNull();
    const entries = await redis.xrange('quantum:stream:apply.plan', '-', '+');
    expect(entries).toHaveLength(1);
    const [id, flat] = entries[0];
    expect(id).toBe(match?.[2]);
    const fields = Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));
    expect(fields).toMatchObject({ plan_id: match?.[1], symbol: 'BTCUSDT', action: 'OPEN_PROPOSED', decision: 'EXECUTE', qty: '0.01', price: '50000', kill_score: '0.0' });
    expect(flat.filter((_, i) => i % 2 === 0).slice(0, 9)).toEqual(['plan_id', 'symbol', 'action', 'decision', 'kill_score', 'side', 'qty', 'price', 'timestamp']);
  });

  it('keeps a given plan id and raw --field values', async () => {
    const r = await inject('plan', '--symbol', 'SOLUSDT', '--action', 'HOLD', '--decision', 'SKIP', '--plan-id', 'abcdef0123456789', '--field', 'price=oops');
    expect(r.code).toBe(0);
    expect(r.out).toContain('plan abcdef0123456789 SOLUSDT HOLD SKIP');
    const [[, flat]] = await redis.xrange('quantum:stream:apply.plan', '-', '+');
    expect(flat[flat.indexOf('price') + 1]).toBe('oops');
  });

  it('turns the kill switch on and off', async () => {
    expect((await inject('kill', 'on')).code).toBe(0);
    expect(await redis.get('quantum:kill')).toBe('1');
    const off = await inject('kill', 'off');
    expect(off.out).toContain('OFF');
    expect(await redis.exists('quantum:kill')).toBe(0);
  });

  it('refuses bad values without writing (exit 2)', async () => {
    const r = await inject('efficiency', 'BTCUSDT', '--score', '1.5', '--confidence', '0.9');
    expect(r.code).toBe(2);
    expect(r.err).toContain('score must be from 0 to 1');
    expect((await inject('efficiency', 'BAD:SYM', '--score', '0.5', '--confidence', '0.9')).code).toBe(2);
    expect((await inject('plan', '--symbol', 'BTCUSDT', '--action', 'HOLD')).code).toBe(2);
    expect(await redis.dbsize()).toBe(0);
  });

  it('writes a JSON-lines file in pipelined batches, printing the plan ids', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inject-test-'));
    const file = join(dir, 'input.jsonl');
    const lines = [
      '# a comment',
      JSON.stringify({ kind: 'efficiency', symbol: 'BTCUSDT', score: '0.3', confidence: 0.8, ts: 1700000000 }),
      JSON.stringify({ kind: 'target', symbol: 'BTCUSDT', usd: '2500.5' }),
      '',
      JSON.stringify({ kind: 'kill', value: 'on' }),
      ...Array.from({ length: 1200 }, (_, i) => JSON.stringify({ kind: 'plan', symbol: 'ETHUSDT', action: 'OPEN_PROPOSED', decision: 'EXECUTE', qty: '0.1', price: '3000', plan_id: i.toString(16).padStart(16, '0') })),
    ];
    writeFileSync(file, lines.join('\n'));
    const r = await inject('--file', file, '--batch', '500');
    expect(r.code).toBe(0);
    expect(r.out).toContain('wrote 1203 record(s): 1 efficiency, 1 target, 1200 plan, 1 kill');
    expect(r.out).toContain('plan 00000000000004af ETHUSDT');
    expect(r.err).toContain('inject: 1203/1203 (100%)');
    expect(await redis.hget('quantum:capital:efficiency:BTCUSDT', 'confidence')).toBe('0.8');
    expect(await redis.hget('quantum:allocation:target:BTCUSDT', 'target_usd')).toBe('2500.5');
    expect(await redis.get('quantum:kill')).toBe('1');
    expect(await redis.xlen('quantum:stream:apply.plan')).toBe(1200);
  });

  it('checks every line of a file before writing anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inject-test-'));
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, [
      JSON.stringify({ kind: 'target', symbol: 'BTCUSDT', usd: '10' }),
      '{not json',
      JSON.stringify({ kind: 'weird' }),
    ].join('\n'));
    const r = await inject('--file', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain('line 2: not JSON');
    expect(r.err).toContain('line 3: kind must be');
    expect(await redis.dbsize()).toBe(0);
  });

  it('exits 1 with a clear message when Redis is unreachable', async () => {
    const r = await capture(() => injectCommand.run(['kill', 'on', '--redis-url', 'redis://127.0.0.1:1']));
    expect(r.code).toBe(1);
    expect(r.err).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });
});
