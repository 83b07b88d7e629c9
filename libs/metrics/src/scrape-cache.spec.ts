import { ScrapeCache } from './scrape-cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('ScrapeCache (fake clock)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 0));

  it('shares a running render, then its text until maxAge after its start', async () => {
    const renders: ReturnType<typeof deferred<Buffer[]>>[] = [];
    const cache = new ScrapeCache(() => {
      const d = deferred<Buffer[]>();
      renders.push(d);
      return d.promise;
    }, 1000, clock);
    const a = cache.body();
    now = 400;
    const b = cache.body();
    expect(renders).toHaveLength(1);
    renders[0]!.resolve([Buffer.from('ab'), Buffer.from('c\n')]);
    expect(await a).toEqual({ chunks: [Buffer.from('ab'), Buffer.from('c\n')], length: 4 });
    expect(await b).toBe(await a);
    now = 999;
    expect(await cache.body()).toBe(await a);
    expect(renders).toHaveLength(1);
    now = 1000;
    const c = cache.body();
    expect(renders).toHaveLength(2);
    renders[1]!.resolve([Buffer.from('new\n')]);
    expect((await c).length).toBe(4);
  });

  it('a render that outlasts maxAge is still shared while it runs', async () => {
    const d = deferred<Buffer[]>();
    let renders = 0;
    const cache = new ScrapeCache(() => {
      renders += 1;
      return d.promise;
    }, 100, clock);
    const a = cache.body();
    now = 5000;
    const b = cache.body();
    expect(renders).toBe(1);
    d.resolve([]);
    expect(await b).toBe(await a);
  });

  it('with maxAge 0 only concurrent scrapes share', async () => {
    let renders = 0;
    const cache = new ScrapeCache(async () => [Buffer.from(String(++renders))], 0, clock);
    const [a, b] = await Promise.all([cache.body(), cache.body()]);
    expect(a).toBe(b);
    expect((await cache.body()).chunks[0]!.toString()).toBe('2');
  });

  it('does not keep a failed render', async () => {
    let fail = true;
    const cache = new ScrapeCache(async () => {
      if (fail) throw new Error('collect failed');
      return [Buffer.from('ok\n')];
    }, 1000, clock);
    const [a, b] = [cache.body(), cache.body()];
    await expect(a).rejects.toThrow('collect failed');
    await expect(b).rejects.toThrow('collect failed');
    fail = false;
    expect((await cache.body()).length).toBe(3);
  });

  it('refuses a negative age', () => {
    expect(() => new ScrapeCache(async () => [], -1)).toThrow(RangeError);
  });
});
