import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 (port 0) in front of a host, so a browser keeps one address while the host
 * behind it goes away and another takes its place (a restart). `target(null)`: the host is
 * unreachable (every connection is cut, new ones are closed at once).
 */
export class TcpProxy {
  private server: Server | null = null;
  private upstream: number | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async listen(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Points the proxy at another port (null: nothing), cutting every connection to the old one. */
  target(port: number | null): void {
    this.upstream = port;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async close(): Promise<void> {
    this.target(null);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    if (this.upstream === null) return void client.destroy();
    const server = connect(this.upstream, '127.0.0.1');
    for (const socket of [client, server]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    client.pipe(server);
    server.pipe(client);
  }
}
