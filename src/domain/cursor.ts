/**
 * An observation cursor: opaque to clients, it names a stream generation (epoch) and a per-Worker
 * sequence. Epochs are per Worker stream, so a cursor of another Worker, of a removed and recreated
 * Worker, or of a bus that restarted without its log can never alias a newer event.
 */
export interface CursorPosition {
  readonly epoch: string;
  readonly sequence: number;
}

const PREFIX = 'c1.';
const EPOCH = /^[A-Za-z0-9_-]{1,64}$/;

export function encodeCursor(epoch: string, sequence: number): string {
  return `${PREFIX}${epoch}.${sequence}`;
}

/** What every cursor of `epoch` starts with: `cursorPrefix(epoch) + sequence` is `encodeCursor(epoch, sequence)`. */
export function cursorPrefix(epoch: string): string {
  return `${PREFIX}${epoch}.`;
}

/** Parses a client-supplied cursor; null when it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | null {
  if (typeof cursor !== 'string' || cursor.length > 128 || !cursor.startsWith(PREFIX)) return null;
  const dot = cursor.lastIndexOf('.');
  if (dot <= PREFIX.length) return null;
  const epoch = cursor.slice(PREFIX.length, dot);
  const digits = cursor.slice(dot + 1);
  if (!EPOCH.test(epoch) || !/^[1-9][0-9]{0,15}$/.test(digits)) return null;
  const sequence = Number(digits);
  if (!Number.isSafeInteger(sequence)) return null;
  return { epoch, sequence };
}

export function isValidEpoch(epoch: string): boolean {
  return EPOCH.test(epoch);
}
