import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** WebSocket subprotocol a browser uses to carry the token (browsers cannot set Authorization on a WebSocket). */
export const WS_PROTOCOL = 'worker-runtime.v1';
const WS_TOKEN_PREFIX = 'bearer.';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Compares a presented token with the configured one in constant time (digests have equal length). */
export class TokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  matches(presented: string | null): boolean {
    const candidate = digest(presented ?? '');
    return timingSafeEqual(candidate, this.expected) && presented !== null;
  }

  /** The token from `Authorization: Bearer`, or (WebSocket only) from the `bearer.<token>` subprotocol. */
  presented(headers: IncomingHttpHeaders, allowSubprotocol: boolean): string | null {
    const auth = headers.authorization;
    if (typeof auth === 'string') {
      const match = /^Bearer ([^\s]+)$/i.exec(auth.trim());
      return match ? match[1]! : null;
    }
    if (!allowSubprotocol) return null;
    const protocols = String(headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    const carried = protocols.find((p) => p.startsWith(WS_TOKEN_PREFIX));
    return carried ? carried.slice(WS_TOKEN_PREFIX.length) : null;
  }
}

function digest(value: string): Buffer {
  return hash('sha256', value, 'buffer');
}
