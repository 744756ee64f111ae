/**
 * A digest of an input (FNV-1a over its JSON, two 32-bit lanes, 16 hex digits): what a queue keeps to
 * tell a repeat of the same input from another input under the same idempotency key, without keeping
 * the input itself once it has left the queue.
 */
export function inputFingerprint(input: unknown): string {
  const text = JSON.stringify(input);
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    a = Math.imul(a ^ code, 0x01000193);
    b = Math.imul(b ^ code, 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}
