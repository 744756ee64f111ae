import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** WebSocket subprotocol a browser uses to carry the token (browsers cannot set Authorization on a WebSocket). */
export const WS_PROTOCOL = 'worker-runtime.v1';
const WS_TOKEN_PREFIX = 'bearer.';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Compares a presented token with the configured one in constant time, against bytes prepared once
 * (no digest per request). The presented token is written into a scratch buffer of a fixed size (the
 * expected bytes, zero-padded, at least 64), so the comparison takes the same time whatever it holds
 * and however long it is; a token of another byte length never matches (a prefix of it cannot either).
 */
export class TokenCheck {
  private readonly expected: Buffer;
  private readonly expectedLength: number;
  private readonly scratch: Buffer;

  constructor(token: string) {
    const bytes = Buffer.from(token, 'utf8');
    this.expectedLength = bytes.length;
    this.expected = Buffer.alloc(Math.max(64, bytes.length));
    bytes.copy(this.expected);
    this.scratch = Buffer.alloc(this.expected.length);
  }

  matches(presented: string | null): boolean {
    const value = presented ?? '';
    const length = Buffer.byteLength(value, 'utf8');
    this.scratch.fill(0);
    this.scratch.write(value, 'utf8'); // truncated to the scratch size: the length check below refuses it then
    const same = timingSafeEqual(this.scratch, this.expected);
    return same && length === this.expectedLength && presented !== null;
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
