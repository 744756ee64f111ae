/** Where the host's log lines go: anything with `write(line)`. */
export interface LogSink {
  write(line: string): void;
}

type Output = Pick<NodeJS.WriteStream, 'write' | 'isTTY' | 'writable'>;

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLOURS: Readonly<Record<number, string>> = { 20: '\x1b[90m', 40: '\x1b[33m', 50: '\x1b[31m', 60: '\x1b[41m' };
const OMIT = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId']);

/**
 * The log sink for `format`: JSON lines as the logger writes them, or one readable line per entry
 * (`12:00:01 WARN  Worker w1 is unavailable ... code=agent_command_not_found`). `auto` is pretty when
 * `out` is a terminal. Lines written after `out` closed (a reader went away) are dropped, not thrown.
 */
export function logDestination(format: 'auto' | 'pretty' | 'json', out: Output = process.stdout): LogSink {
  const pretty = format === 'pretty' || (format === 'auto' && out.isTTY === true);
  const colour = pretty && out.isTTY === true;
  return {
    write(line: string) {
      if (!out.writable) return;
      out.write(pretty ? prettyLine(line, colour) : line);
    },
  };
}

/** One pino JSON line as text for a person; a line that is not JSON passes through unchanged. */
export function prettyLine(line: string, colour = false): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 23) : '';
  const label = (LEVELS[level] ?? String(level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([key]) => !OMIT.has(key))
    .flatMap(([key, value]) => flatten(key, value))
    .join(' ');
  const text = `${time} ${colour && COLOURS[level] ? `${COLOURS[level]}${label}\x1b[0m` : label} ${String(entry.msg ?? '')}${fields ? `  ${fields}` : ''}`;
  return `${text}\n`;
}

function flatten(key: string, value: unknown): string[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([inner, v]) => flatten(`${key}.${inner}`, v));
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return [`${key}=${/[\s"]/.test(text ?? '') ? JSON.stringify(text) : text}`];
}
