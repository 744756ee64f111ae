import type { WebSocket } from 'ws';

/**
 * Pings every watched WebSocket each `intervalMs`; a peer that has not answered the previous ping by
 * the next one is terminated, so a dead peer on an idle Worker releases its subscription (its
 * `close` handler runs) instead of holding it until the kernel gives up on the connection.
 */
export class WsKeepalive {
  private readonly answered = new Map<WebSocket, boolean>();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs: number) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  watch(socket: WebSocket): void {
    this.answered.set(socket, true);
    socket.on('pong', () => this.answered.has(socket) && this.answered.set(socket, true));
    socket.once('close', () => this.answered.delete(socket));
  }

  /** Ends every watched socket at once, without waiting for a close handshake the peer may never answer. */
  terminateAll(): void {
    for (const socket of this.answered.keys()) socket.terminate();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private tick(): void {
    for (const [socket, answered] of this.answered) {
      if (!answered) {
        socket.terminate();
        continue;
      }
      this.answered.set(socket, false);
      socket.ping();
    }
  }
}
