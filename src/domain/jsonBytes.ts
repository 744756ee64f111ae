/** UTF-8 byte length without allocating (lone surrogates count as the 3-byte replacement). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes JSON.stringify writes for an ASCII code unit: `\"`, `\\`, the short control escapes, else `\u00XX`. */
const ASCII_JSON_BYTES = Array.from({ length: 128 }, (_, c) => {
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) return 2;
  return c < 0x20 ? 6 : 1;
});

/**
 * The UTF-8 byte length of `JSON.stringify(text)`, quotes included, without building it: escapes
 * count as written (`\"` 2 bytes, `\u0001` 6), and a lone surrogate as its `\udXXX` escape (6).
 */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += ASCII_JSON_BYTES[c]!;
    else if (c < 0x800) bytes += 2;
    else if (c < 0xd800 || c > 0xdfff) bytes += 3;
    else if (c < 0xdc00 && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 6;
  }
  return bytes;
}
