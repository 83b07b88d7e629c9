import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ReadinessCheck, ReadinessReport } from './readiness-state';
import { renderExposition } from './render';
import { ScrapeCache, type ScrapeBody } from './scrape-cache';

export interface MetricsServerOptions {
  readonly registry: Registry;
  readonly readiness: ReadinessCheck;
  /** Default `0.0.0.0` (scraped from outside the container). */
  readonly host?: string;
  /** `METRICS_PORT`; 0 picks a free port (tests). */
  readonly port: number;
  /**
   * The service's effective configuration, secrets already masked, served as JSON on `/config`
   * so that operators and `ctl verify` can read what a running instance uses.
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /**
   * A scrape less than this many ms after the start of the last render gets that render's text
   * (default 1000; 0: only scrapes during a render share it). Scrapers arriving together or
   * within this time cost one render.
   */
  readonly scrapeCacheMs?: number;
  /**
   * Longest stretch of rendering /metrics before it yields to the event loop, in ms (default 2):
   * a scrape of many series never holds up the service's own work for longer than about this.
   */
  readonly renderSliceMs?: number;
}

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
}

/**
 * `node:http` server for `GET /metrics` (Prometheus text exposition, rendered in slices that
 * yield to the event loop and shared between scrapes close together: see
 * {@link MetricsServerOptions.scrapeCacheMs}), `/healthz` (200 while the
 * process is alive), `/readyz` (200 when the readiness check says ready, else 503 with the
 * reasons as JSON), `/config` (the masked configuration as JSON, when given); other paths 404,
 * other methods than GET/HEAD 405.
 */
export class MetricsServer {
  private server: Server | undefined;
  private readonly scrapes: ScrapeCache;

  constructor(private readonly options: MetricsServerOptions) {
    const sliceMs = options.renderSliceMs ?? 2;
    this.scrapes = new ScrapeCache(() => renderExposition(options.registry, { sliceMs }), options.scrapeCacheMs ?? 1000);
  }

  /** Listens; resolves with the bound address, rejects (with host and port named) if it cannot bind. */
  async start(): Promise<BoundAddress> {
    if (this.server) throw new Error('MetricsServer already started');
    const server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `internal error: ${(error as Error).message}\n`);
        else response.destroy();
      });
    });
    server.keepAliveTimeout = 5_000;
    const host = this.options.host ?? '0.0.0.0';
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(new Error(`metrics server cannot listen on ${host}:${this.options.port}: ${error.message}`, { cause: error }));
      server.once('error', onError);
      server.listen(this.options.port, host, () => {
        server.off('error', onError);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { host: address.address, port: address.port, url: `http://${urlHost}:${address.port}` };
  }

  /** Stops listening and closes every connection, idle keep-alive ones included, at once. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    const config = this.options.config;
    const known = path === '/metrics' || path === '/healthz' || path === '/readyz' || (path === '/config' && config !== undefined);
    if (!known) return send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    }
    if (path === '/healthz') return send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
    if (path === '/config') return send(response, 200, 'application/json', `${JSON.stringify(config)}\n`);
    if (path === '/metrics') return sendChunks(response, this.options.registry.contentType, await this.scrapes.body());
    let report: ReadinessReport;
    try {
      report = await this.options.readiness.readiness();
    } catch (error) {
      report = { ready: false, reasons: [`readiness check failed: ${(error as Error).message}`], components: {} };
    }
    const body = JSON.stringify({ ready: report.ready, reasons: report.reasons, components: report.components });
    return send(response, report.ready ? 200 : 503, 'application/json', `${body}\n`);
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}

function sendChunks(response: ServerResponse, contentType: string, body: ScrapeBody): void {
  response.writeHead(200, { 'Content-Type': contentType, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  if (response.req.method !== 'HEAD') for (const chunk of body.chunks) response.write(chunk);
  response.end();
}
