import { request as httpRequest, Agent } from 'node:http';
import { Counter, Gauge, Histogram } from 'prom-client';
import { LabelledCounter, LabelledGauge } from './labelled-family';
import { createMetricsRegistry } from './metrics-registry';
import { MetricsServer, type BoundAddress } from './metrics-server';
import { ReadinessState } from './readiness-state';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, method = 'GET', agent?: Agent): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('MetricsServer (real HTTP on port 0)', () => {
  const registry = createMetricsRegistry();
  new Counter({ name: 'quantum_govern_allow_total', help: 'permits', labelNames: ['symbol'], registers: [registry] }).inc({ symbol: 'BTCUSDT' });
  const readiness = new ReadinessState(['redis', 'consumer']);
  const server = new MetricsServer({ registry, readiness, host: '127.0.0.1', port: 0 });
  let address: BoundAddress;

  beforeAll(async () => {
    address = await server.start();
  });
  afterAll(() => server.stop());

  it('binds a free port', () => {
    expect(address.port).toBeGreaterThan(0);
    expect(address.url).toBe(`http://127.0.0.1:${address.port}`);
  });

  it('serves the text exposition with the registry content type, app label and process metrics', async () => {
    const reply = await get(`${address.url}/metrics`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe(registry.contentType);
    expect(reply.body).toContain('quantum_govern_allow_total{symbol="BTCUSDT"} 1');
    expect(reply.body).toContain('process_cpu_user_seconds_total');
  });

  it('answers /healthz while alive and /readyz 503 with reasons until ready', async () => {
    expect((await get(`${address.url}/healthz`)).status).toBe(200);
    readiness.markUnhealthy('redis', 'connect ECONNREFUSED 127.0.0.1:6390');
    const notReady = await get(`${address.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(notReady.headers['content-type']).toBe('application/json');
    expect(JSON.parse(notReady.body)).toMatchObject({ ready: false, reasons: ['redis: connect ECONNREFUSED 127.0.0.1:6390', 'consumer: not checked yet'] });
    readiness.markHealthy('redis');
    readiness.markHealthy('consumer');
    const ready = await get(`${address.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toMatchObject({ ready: true, reasons: [] });
  });

  it('answers 404 elsewhere, 405 for other methods, and HEAD without a body', async () => {
    expect((await get(`${address.url}/`)).status).toBe(404);
    expect((await get(`${address.url}/metricsx`)).status).toBe(404);
    expect((await get(`${address.url}/metrics`, 'POST')).status).toBe(405);
    const head = await get(`${address.url}/healthz`, 'HEAD');
    expect(head).toMatchObject({ status: 200, body: '' });
  });

  it('reports a throwing readiness check as not ready', async () => {
    const failing = new MetricsServer({ registry, readiness: { readiness: () => { throw new Error('boom'); } }, host: '127.0.0.1', port: 0 });
    const bound = await failing.start();
    const reply = await get(`${bound.url}/readyz`);
    await failing.stop();
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body).reasons).toEqual(['readiness check failed: boom']);
  });
});

describe('MetricsServer lifecycle', () => {
  it('stops promptly with an idle keep-alive connection open', async () => {
    const server = new MetricsServer({ registry: createMetricsRegistry({ processMetrics: false }), readiness: new ReadinessState(), host: '127.0.0.1', port: 0 });
    const { url } = await server.start();
    const agent = new Agent({ keepAlive: true });
    expect((await get(`${url}/healthz`, 'GET', agent)).status).toBe(200);
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(500);
    agent.destroy();
    await expect(get(`${url}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('names the address when it cannot bind', async () => {
    const first = new MetricsServer({ registry: createMetricsRegistry({ processMetrics: false }), readiness: new ReadinessState(), host: '127.0.0.1', port: 0 });
    const { port } = await first.start();
    const second = new MetricsServer({ registry: createMetricsRegistry({ processMetrics: false }), readiness: new ReadinessState(), host: '127.0.0.1', port });
    await expect(second.start()).rejects.toThrow(new RegExp(`cannot listen on 127.0.0.1:${port}: .*EADDRINUSE`));
    await first.stop();
  });

  it('adds no label to the contract\'s series (no app label: the scrape job tells the services apart)', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    new Counter({ name: 'p29_shadow_loops_total', help: 'loops', registers: [registry] }).inc();
    expect(await registry.metrics()).toMatch(/^p29_shadow_loops_total 1$/m);
  });

  it('serves the given configuration on /config, and 404 there when none was given', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    const readiness = new ReadinessState([]);
    const withConfig = new MetricsServer({ registry, readiness, host: '127.0.0.1', port: 0, config: { P31_MIN_CONF: 0.65, REDIS_PASSWORD: '***' } });
    const bare = new MetricsServer({ registry, readiness, host: '127.0.0.1', port: 0 });
    const [a, b] = [await withConfig.start(), await bare.start()];
    const reply = await get(`${a.url}/config`);
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('application/json');
    expect(JSON.parse(reply.body)).toEqual({ P31_MIN_CONF: 0.65, REDIS_PASSWORD: '***' });
    expect((await get(`${b.url}/config`)).status).toBe(404);
    await Promise.all([withConfig.stop(), bare.stop()]);
  });
});

describe('MetricsServer /metrics with 20,000 symbols (real HTTP)', () => {
  /** The governor's per-symbol families plus prom-client metrics; no process metrics, whose values move between two renders. */
  function governorLike() {
    const registry = createMetricsRegistry({ processMetrics: false });
    const registers = [registry];
    const factor = new LabelledGauge({ name: 'p32_eff_factor', help: 'factor', labelNames: ['symbol'], registers });
    const allow = new LabelledCounter({ name: 'quantum_govern_allow_total', help: 'permits', labelNames: ['symbol'], registers });
    const block = new LabelledCounter({ name: 'quantum_govern_block_total', help: 'blocks', labelNames: ['symbol', 'reason'], registers });
    const messages = new Counter({ name: 'governor_messages_total', help: 'decisions', labelNames: ['outcome'] as const, registers });
    new Histogram({ name: 'governor_decision_latency_seconds', help: 'latency', buckets: [0.001, 0.01, 0.1], registers }).observe(0.004);
    new Gauge({ name: 'service_ready', help: 'ready', registers }).set(1);
    for (let i = 0; i < 20_000; i++) {
      const symbol = `S${i}USDT`;
      factor.set({ symbol }, (i % 100) / 100);
      allow.inc({ symbol }, 1 + (i % 7));
      block.inc({ symbol, reason: i % 3 ? 'symbol_cooldown' : 'kill_switch_active' });
    }
    messages.inc({ outcome: 'permitted' }, 20_000);
    return { registry, allow };
  }

  it('serves exactly prom-client\'s text, with its length, and HEAD without a body', async () => {
    const { registry } = governorLike();
    const server = new MetricsServer({ registry, readiness: new ReadinessState(), host: '127.0.0.1', port: 0, scrapeCacheMs: 0 });
    const { url } = await server.start();
    try {
      const reply = await get(`${url}/metrics`);
      const expected = await registry.metrics();
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toBe(registry.contentType);
      expect(reply.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
      expect(reply.body).toBe(expected);
      expect(reply.body.split('\n').length).toBeGreaterThan(60_000);
      const head = await get(`${url}/metrics`, 'HEAD');
      expect(head).toMatchObject({ status: 200, body: '' });
      expect(head.headers['content-length']).toBe(String(Buffer.byteLength(expected)));
    } finally {
      await server.stop();
    }
  });

  it('keeps the event loop turning during a scrape', async () => {
    const { registry } = governorLike();
    const server = new MetricsServer({ registry, readiness: new ReadinessState(), host: '127.0.0.1', port: 0, scrapeCacheMs: 0 });
    const { url } = await server.start();
    let turns = 0;
    let scraping = true;
    const tick = (): void => {
      turns += 1;
      if (scraping) setImmediate(tick);
    };
    try {
      setImmediate(tick);
      const reply = await get(`${url}/metrics`);
      scraping = false;
      expect(reply.status).toBe(200);
      // a slice holds at most 4096 lines: 60k series take at least 15 turns
      expect(turns).toBeGreaterThanOrEqual(15);
    } finally {
      scraping = false;
      await server.stop();
    }
  });

  it('concurrent scrapers share one render; a scrape within scrapeCacheMs gets its text', async () => {
    const { registry, allow } = governorLike();
    const renders = jest.spyOn(registry, 'getMetricsAsArray');
    const server = new MetricsServer({ registry, readiness: new ReadinessState(), host: '127.0.0.1', port: 0, scrapeCacheMs: 60_000 });
    const { url } = await server.start();
    try {
      const [a, b] = await Promise.all([get(`${url}/metrics`), get(`${url}/metrics`)]);
      expect(renders).toHaveBeenCalledTimes(1);
      expect(b.body).toBe(a.body);
      allow.inc({ symbol: 'S0USDT' }, 1000);
      const c = await get(`${url}/metrics`);
      expect(renders).toHaveBeenCalledTimes(1);
      expect(c.body).toBe(a.body);
      expect(c.body).toContain('quantum_govern_allow_total{symbol="S0USDT"} 1\n');
    } finally {
      await server.stop();
    }
  });

  it('without the cache, each scrape after a render renders again', async () => {
    const { registry, allow } = governorLike();
    const server = new MetricsServer({ registry, readiness: new ReadinessState(), host: '127.0.0.1', port: 0, scrapeCacheMs: 0 });
    const { url } = await server.start();
    try {
      await get(`${url}/metrics`);
      allow.inc({ symbol: 'S0USDT' }, 1000);
      expect((await get(`${url}/metrics`)).body).toContain('quantum_govern_allow_total{symbol="S0USDT"} 1001\n');
    } finally {
      await server.stop();
    }
  });

  it('answers 500 when a collector fails, and renders again on the next scrape', async () => {
    const registry = createMetricsRegistry({ processMetrics: false });
    let fail = true;
    new Gauge({
      name: 'flaky',
      help: 'collect fails once',
      registers: [registry],
      collect(this: Gauge) {
        if (fail) throw new Error('collector broke');
        this.set(1);
      },
    });
    const server = new MetricsServer({ registry, readiness: new ReadinessState(), host: '127.0.0.1', port: 0 });
    const { url } = await server.start();
    try {
      const failed = await get(`${url}/metrics`);
      expect(failed.status).toBe(500);
      expect(failed.body).toContain('collector broke');
      fail = false;
      expect((await get(`${url}/metrics`)).body).toBe('# HELP flaky collect fails once\n# TYPE flaky gauge\nflaky 1\n');
    } finally {
      await server.stop();
    }
  });
});
