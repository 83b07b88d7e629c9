import { request as httpRequest, Agent } from 'node:http';
import { Counter } from 'prom-client';
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
