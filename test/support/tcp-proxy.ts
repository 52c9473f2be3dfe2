import { createServer, type Server, type Socket, connect } from 'node:net';

/** How the proxy treats a new connection. */
export type ProxyMode =
  /** Passes bytes through to PostgreSQL. */
  | 'pass'
  /** Answers the startup message as a PostgreSQL that is still starting (FATAL 57P03) and closes. */
  | 'starting-up'
  /** Accepts and then says nothing (a client waits until its connect timeout). */
  | 'hang';

/**
 * A TCP pass-through to PostgreSQL that a test can cut and restore, to see how the
 * service behaves when its database becomes unreachable — without touching the
 * PostgreSQL server itself (shared with other test runs).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;
  mode: ProxyMode = 'pass';

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : port;
    return this.port;
  }

  private accept(client: Socket): void {
    this.sockets.add(client);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    if (this.mode === 'hang') return;
    if (this.mode === 'starting-up') {
      // The startup message (or an SSLRequest) comes first; answer it with an ErrorResponse.
      client.once('data', (chunk) => {
        const isSslRequest = chunk.length === 8 && chunk.readInt32BE(4) === 80877103;
        if (isSslRequest) {
          client.write('N');
          client.once('data', () => client.end(startingUpError()));
        } else client.end(startingUpError());
      });
      return;
    }
    const upstream = connect(this.targetPort, this.targetHost);
    this.sockets.add(upstream);
    upstream.on('close', () => this.sockets.delete(upstream));
    upstream.on('error', () => upstream.destroy());
    client.pipe(upstream).pipe(client);
  }

  /** Refuses new connections and drops the open ones. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }

  /** Resets (TCP RST) every open connection; new ones are still accepted. */
  reset(): void {
    for (const s of this.sockets) s.resetAndDestroy();
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    this.mode = 'pass';
    if (!this.server) await this.start(this.port);
  }
}

/** A PostgreSQL ErrorResponse message: FATAL 57P03 "the database system is starting up". */
function startingUpError(): Buffer {
  const fields = ['SFATAL', 'VFATAL', 'C57P03', 'Mthe database system is starting up'];
  const body = Buffer.concat([...fields.map((f) => Buffer.from(`${f}\0`)), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}
