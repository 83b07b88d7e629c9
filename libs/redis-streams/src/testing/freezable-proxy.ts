import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to a Redis for fault tests: `freeze()` stops forwarding in both directions while
 * every connection stays open (a black hole: no reset, no close, nothing answers), `thaw()`
 * forwards again, including what was held back. New connections made while frozen are accepted
 * and held as well.
 */
export class FreezableProxy {
  private frozen = false;
  private readonly pairs = new Set<Pair>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetHost: string, targetPort: number): Promise<FreezableProxy> {
    const connections: Socket[] = [];
    let accept = (client: Socket): void => {
      connections.push(client);
    };
    const server = createServer((client) => accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    const proxy = new FreezableProxy(server, address.port);
    accept = (client) => proxy.accept(client, targetHost, targetPort);
    for (const client of connections.splice(0)) accept(client);
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const pair of this.pairs) pair.flush();
  }

  async stop(): Promise<void> {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    const upstream = connect(port, host);
    const held: { to: Socket; data: Buffer }[] = [];
    const forward = (to: Socket) => (data: Buffer) => {
      if (this.frozen) held.push({ to, data });
      else to.write(data);
    };
    const pair: Pair = {
      client,
      upstream,
      flush: () => {
        for (const { to, data } of held.splice(0)) to.write(data);
      },
    };
    this.pairs.add(pair);
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  }
}

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
  /** Forwards what was held back while frozen, in order. */
  flush(): void;
}
