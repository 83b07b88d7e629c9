import { startThrowawayRedis, type ThrowawayRedis } from '../src/testing';
import { luaScript, ScriptRunner, waitForReady } from '../src';
import { client, disconnectAll } from './helpers';

// Real Redis on a shared, sometimes busy machine.
jest.setTimeout(30_000);

/** Appends ARGV[1] to the list KEYS[1]; returns the list's length. */
const APPEND = luaScript('append', "return redis.call('RPUSH', KEYS[1], ARGV[1])");

describe('ScriptRunner (real Redis)', () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis();
  });
  afterAll(async () => redis?.stop());
  afterEach(() => disconnectAll());

  async function scriptLoads(c: ReturnType<typeof client>): Promise<number> {
    const stats = await c.info('commandstats');
    return Number(/^cmdstat_script\|load:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
  }

  it('loads a script once per connection, and again after a reconnect', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushall();
    await c.config('RESETSTAT');
    let checks = 0;
    const runner = new ScriptRunner(c, { onNewConnection: async () => void checks++ });
    expect(await runner.run(APPEND, { keys: ['l'], args: ['a'] })).toBe(1);
    expect(await runner.run(APPEND, { keys: ['l'], args: ['b'] })).toBe(2);
    expect([await scriptLoads(c), checks]).toEqual([1, 1]);
    const reconnected = new Promise((resolve) => c.once('ready', resolve));
    c.disconnect(true);
    await reconnected;
    expect(await runner.run(APPEND, { keys: ['l'], args: ['c'] })).toBe(3);
    expect([await scriptLoads(c), checks]).toEqual([2, 2]);
  });

  it('runs a call again after Redis lost the script (SCRIPT FLUSH)', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushall();
    const runner = new ScriptRunner(c);
    await runner.run(APPEND, { keys: ['l'], args: ['a'] });
    await c.script('FLUSH');
    expect(await runner.run(APPEND, { keys: ['l'], args: ['b'] })).toBe(2);
    expect(await c.lrange('l', 0, -1)).toEqual(['a', 'b']);
  });

  it('re-runs the calls of sequences that met NOSCRIPT in the order they were sent', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushall();
    const runner = new ScriptRunner(c);
    await runner.load([APPEND]);
    await c.script('FLUSH');
    const first = runner.sequence(APPEND);
    const second = runner.sequence(APPEND);
    for (const v of ['1', '2', '3']) first.send({ keys: ['l'], args: [v] });
    for (const v of ['4', '5']) second.send({ keys: ['l'], args: [v] });
    const [a, b] = await Promise.all([first.replies(), second.replies()]);
    expect([...a, ...b]).toEqual([1, 2, 3, 4, 5]);
    expect(await c.lrange('l', 0, -1)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('a sequence gives each call its own error, in place', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushall();
    await c.set('s', 'x');
    const runner = new ScriptRunner(c);
    await runner.load([APPEND]);
    const seq = runner.sequence(APPEND);
    seq.send({ keys: ['l'], args: ['a'] });
    seq.send({ keys: ['s'], args: ['a'] });
    const [ok, failed] = await seq.replies();
    expect(ok).toBe(1);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as Error).message).toMatch(/WRONGTYPE/);
  });

  it('send: eval sends the text with each call and never loads', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    await c.flushall();
    await c.script('FLUSH');
    await c.config('RESETSTAT');
    const runner = new ScriptRunner(c, { send: 'eval' });
    expect(await runner.run(APPEND, { keys: ['l'], args: ['a'] })).toBe(1);
    expect(await scriptLoads(c)).toBe(0);
    expect(await c.info('commandstats')).toMatch(/^cmdstat_eval:calls=1,/m);
  });

  it('a refused SCRIPT LOAD names the script and keeps Redis\'s words', async () => {
    const c = client({ url: redis.url });
    await waitForReady(c, 5000);
    const runner = new ScriptRunner(c);
    await expect(runner.run(luaScript('broken', 'this is not lua'), { args: [] })).rejects.toThrow(/^SCRIPT LOAD of broken: ERR Error compiling script/);
  });
});
