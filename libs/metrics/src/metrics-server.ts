import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { ReadinessCheck, ReadinessReport } from './readiness-state';

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
}

export interface BoundAddress {
  readonly host: string;
  readonly port: number;
  /** `http://host:port` */
  readonly url: string;
}

/**
 * `node:http` server for `GET /metrics` (Prometheus text exposition), `/healthz` (200 while the
 * process is alive), `/readyz` (200 when the readiness check says ready, else 503 with the
 * reasons as JSON), `/config` (the masked configuration as JSON, when given); other paths 404,
 * other methods than GET/HEAD 405.
 */
export class MetricsServer {
  private server: Server | undefined;

  constructor(private readonly options: MetricsServerOptions) {}

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
    if (path === '/metrics') {
      const body = await this.options.registry.metrics();
      return send(response, 200, this.options.registry.contentType, body);
    }
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
