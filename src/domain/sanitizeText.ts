/**
 * Sanitiser for backend free text bound for a browser (diagnostics, error and alert messages).
 * It removes what must never leave the host: absolute paths (sockets, session files, cwd),
 * environment assignments, bearer tokens and API keys, long opaque secrets, process ids; control
 * characters go and the text is bounded. Assistant content is not passed through this.
 *
 * Look-alike slashes (full-width, division and fraction slashes, percent- and HTML-encoded ones)
 * count as slashes, and the text is also read unescaped (JSON `\/` and `\uXXXX`, C-style escapes),
 * so neither notation nor an escape can hide a path. Each reading redacts, in one pass, every
 * token shaped like an absolute path wherever it stands: a `/` (or `~/`, a drive letter, a
 * UNC `\\`) that does not continue a word starts one, whatever character precedes it, and a path
 * goes on across spaces while the next word holds another `/` (`/Users/x/Application Support/…`).
 */

const PATH_CHAR = String.raw`[^\s"'\`<>|]`;
/** `word` in any letter case, for a pattern used without the `i` flag. */
const anyCase = (word: string) => [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c)).join('');
const RULES: readonly { readonly pattern: string; readonly replace: (match: string, ...groups: string[]) => string }[] = [
  // URLs: credentials or file: go whole; otherwise the scheme and host stay, the path and query go.
  { pattern: String.raw`\b([A-Za-z][A-Za-z0-9+.-]*):\/\/([^\s/?#"'<>]*)([^\s"'<>]*)`, replace: url },
  // environment assignments: NAME=value
  { pattern: String.raw`\b[A-Z][A-Z0-9_]{1,63}=\S*`, replace: () => '[redacted-env]' },
  // Authorization: Bearer xxx / token xxx
  { pattern: String.raw`\b(?:${['bearer', 'token', 'basic'].map(anyCase).join('|')})\s+[A-Za-z0-9._~+/=-]{8,}`, replace: () => '[redacted-credential]' },
  // well-known key shapes (sk-..., ghp_..., xoxb-..., AKIA...)
  { pattern: String.raw`\b(?:sk|pk|rk|ghp|gho|ghs|xox[abpr])[-_][A-Za-z0-9_-]{8,}|\bAKIA[0-9A-Z]{12,}\b`, replace: () => '[redacted-credential]' },
  // Windows drive paths (either slash) and UNC paths
  { pattern: String.raw`\b[A-Za-z]:[\\/]${PATH_CHAR}*|(?<![\w\\])\\\\[^\s\\/"'<>|]+[\\/]${PATH_CHAR}*`, replace: path },
  // POSIX absolute and ~ paths: a slash that does not continue a word, then path characters, across spaces while a slash follows
  {
    pattern: String.raw`(?<![A-Za-z0-9_])(?:~[A-Za-z0-9._-]*)?\/(?=[^\s/"'\`<>|])${PATH_CHAR}*(?: [^\s/"'\`<>|]+\/${PATH_CHAR}*)*`,
    replace: path,
  },
  // process ids after a word that names one, then any bare number of 5 digits or more
  {
    pattern: String.raw`\b((?:${['pid', 'ppid', 'pgid', 'process', 'child', 'kill', 'killed'].map(anyCase).join('|')})(?: -\d+| -[A-Z]+)?)(\s*[:#=]?\s*)\d+`,
    replace: (_m, word, gap) => `${word}${gap}[redacted-pid]`,
  },
  // (not a negative number: a JSON-RPC code such as -32603 is no process id)
  { pattern: String.raw`(?<![\w.-])\d{5,}(?!\w|\.\d)`, replace: () => '[redacted-number]' },
  // long opaque strings (hex or base64 secrets, session ids)
  { pattern: String.raw`\b[A-Za-z0-9+/_-]{32,}={0,2}`, replace: () => '[redacted-secret]' },
];

// One alternation, applied in one pass: a redaction is never rescanned by a later rule.
const ALL = new RegExp(RULES.map((r) => `(${r.pattern})`).join('|'), 'g');
/** Capturing groups per rule in ALL: its own wrapper plus the ones inside its pattern. */
const GROUPS = RULES.map((r) => new RegExp(`${r.pattern}|`).exec('')!.length);

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const SLASHES = /[\u2215\u2044\u29f8\uff0f\u2571]|%2f|&#0*47;|&#x0*2f;|&sol;/gi;
const BACKSLASHES = /[\uff3c\u29f5\u29f9\ufe68\u2572]|%5c|&#0*92;|&#x0*5c;|&bsol;/gi;
const TRAILING = /[.,;:!?)}]+$/;

export function sanitizeText(text: string, maxLength = 1024): string {
  // Twice: on the text as it came (a raw `\\server\share` or `C:\new` must not be "unescaped"
  // first), then on its unescaped form (what an escape hid). A redaction survives the second pass.
  let out = redactAll(fold(bounded(text, maxLength).replace(CONTROL, ' ')));
  out = redactAll(unescape(out).replace(CONTROL, ' '));
  if (out.length > maxLength) out = `${out.slice(0, maxLength - 1)}…`;
  return out;
}

function redactAll(text: string): string {
  return text.replace(ALL, (match: string, ...groups: unknown[]) => redact(match, groups as (string | undefined)[]));
}

/** Look-alike and encoded slashes and backslashes become the real ones. */
function fold(text: string): string {
  return text.replace(SLASHES, '/').replace(BACKSLASHES, '\\');
}

function redact(match: string, groups: (string | undefined)[]): string {
  let index = 0;
  for (let rule = 0; rule < RULES.length; index += GROUPS[rule]!, rule++) {
    if (groups[index] === undefined) continue;
    return RULES[rule]!.replace(match, ...(groups.slice(index + 1, index + GROUPS[rule]!) as string[]));
  }
  return match;
}

/** Undoes the escapes a path could hide behind (JSON, C-style, percent); repeated for doubly escaped text. */
function unescape(text: string): string {
  let out = text;
  for (let pass = 0; pass < 3; pass++) {
    const next = fold(out)
      .replace(/\\u([0-9a-fA-F]{4})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/\\x([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)))
      .replace(/\\([/\\"'`])/g, '$1')
      .replace(/\\[nrtbfv0]/g, ' ')
      .replace(/%(3a|20|7e|2e)/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    if (next === out) break;
    out = next;
  }
  return out;
}

/** Bounds the work on huge input: only text that could reach the output is looked at, cut at a space. */
function bounded(text: string, maxLength: number): string {
  const limit = maxLength * 4 + 64;
  if (text.length <= limit) return text;
  const cut = text.slice(0, limit);
  const space = cut.lastIndexOf(' ');
  return space > maxLength ? cut.slice(0, space) : cut;
}

function path(match: string): string {
  const trailing = TRAILING.exec(match)?.[0] ?? '';
  return `[redacted-path]${trailing}`;
}

function url(match: string, scheme: string, authority: string, rest: string): string {
  if (scheme.toLowerCase() === 'file' || authority.includes('@')) return `[redacted-${scheme.toLowerCase() === 'file' ? 'path' : 'url'}]`;
  const trailing = TRAILING.exec(rest)?.[0] ?? '';
  const body = rest.slice(0, rest.length - trailing.length);
  if (body === '' || body === '/' || body === '/[redacted-path]') return match;
  return `${scheme}://${authority}/[redacted-path]${trailing}`;
}
