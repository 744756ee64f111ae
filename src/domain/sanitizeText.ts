/**
 * Sanitiser for backend free text bound for a browser (diagnostics, error and alert messages).
 * It removes what must never leave the host: absolute paths (sockets, session files, cwd),
 * environment assignments, bearer tokens and API keys, long opaque secrets, process ids;
 * control characters go and the text is bounded. Assistant content is not passed through this.
 */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // URLs with credentials: scheme://user:pass@host
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s/@]+@[^\s]*/gi, '[redacted-url]'],
  // environment assignments: NAME=value
  [/\b[A-Z][A-Z0-9_]{1,63}=\S*/g, '[redacted-env]'],
  // Authorization: Bearer xxx / token xxx
  [/\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '[redacted-credential]'],
  // well-known key shapes (sk-..., ghp_..., xoxb-..., AKIA...)
  [/\b(sk|pk|rk|ghp|gho|ghs|xox[abpr])[-_][A-Za-z0-9_-]{8,}/g, '[redacted-credential]'],
  [/\bAKIA[0-9A-Z]{12,}\b/g, '[redacted-credential]'],
  // Windows and POSIX absolute paths, ~ paths, file: URLs
  [/\bfile:\/\/\S+/gi, '[redacted-path]'],
  [/\b[A-Za-z]:\\[^\s"'<>|]*/g, '[redacted-path]'],
  [/(^|[\s"'`=(:,;<|[{])~?\/[^\s"'`<>)\]},;|]+/g, '$1[redacted-path]'],
  // process ids
  [/\b(pid|process)\s*[:#=]?\s*\d+/gi, '[redacted-pid]'],
  // long opaque strings (hex or base64 secrets, session ids)
  [/\b[A-Za-z0-9+/_-]{32,}={0,2}/g, '[redacted-secret]'],
];

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

export function sanitizeText(text: string, maxLength = 1024): string {
  let out = text.replace(CONTROL, ' ');
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  if (out.length > maxLength) out = `${out.slice(0, maxLength - 1)}…`;
  return out;
}
