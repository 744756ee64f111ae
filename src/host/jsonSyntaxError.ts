/** Where a text stops being JSON and what was expected there. */
export interface JsonSyntaxError {
  readonly position: number;
  readonly problem: string;
}

type Want = 'value' | 'valueOrClose' | 'keyOrClose' | 'key' | 'colon' | 'commaOrClose' | 'end';

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const WHITESPACE = /[ \t\n\r]*/y;
const EXPECTED: Record<Want, string> = {
  value: 'a value',
  valueOrClose: "a value or ']'",
  keyOrClose: "a property name in double quotes or '}'",
  key: 'a property name in double quotes',
  colon: "':'",
  commaOrClose: "',' or a closing bracket",
  end: 'the end of the input',
};

/**
 * Finds the first syntax error in a JSON text, iteratively (no recursion a deep input could exhaust);
 * null when the text is valid JSON. Used only after `JSON.parse` failed, to say where.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | null {
  const stack: ('{' | '[')[] = [];
  let want: Want = 'value';
  let i = 0;
  const fail = (position: number, problem?: string): JsonSyntaxError => ({
    position,
    problem: problem ?? (position >= text.length ? `unexpected end of input, expected ${EXPECTED[want]}` : `expected ${EXPECTED[want]}`),
  });
  const afterValue = (): Want => (stack.length === 0 ? 'end' : 'commaOrClose');
  for (;;) {
    WHITESPACE.lastIndex = i;
    WHITESPACE.exec(text);
    i = WHITESPACE.lastIndex;
    if (i >= text.length) return want === 'end' ? null : fail(i);
    const c = text[i]!;
    if (want === 'end') return fail(i, 'unexpected content after the JSON value');
    if (want === 'colon') {
      if (c !== ':') return fail(i);
      i++;
      want = 'value';
    } else if (want === 'commaOrClose') {
      const close = stack[stack.length - 1] === '{' ? '}' : ']';
      if (c === ',') want = close === '}' ? 'key' : 'value';
      else if (c === close) {
        stack.pop();
        want = afterValue();
      } else return fail(i, `expected ',' or '${close}'`);
      i++;
    } else if (want === 'key' || want === 'keyOrClose') {
      if (c === '}' && want === 'keyOrClose') {
        stack.pop();
        i++;
        want = afterValue();
      } else if (c === '"') {
        const end = stringEnd(text, i);
        if (typeof end !== 'number') return end;
        i = end;
        want = 'colon';
      } else return fail(i);
    } else {
      if (c === ']' && want === 'valueOrClose') {
        stack.pop();
        i++;
        want = afterValue();
        continue;
      }
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        want = c === '{' ? 'keyOrClose' : 'valueOrClose';
        continue;
      }
      const end = c === '"' ? stringEnd(text, i) : literalEnd(text, i);
      if (end === null) return fail(i);
      if (typeof end !== 'number') return end;
      i = end;
      want = afterValue();
    }
  }
}

/** The index after a string starting at `start` (a quote), or the error inside it. */
function stringEnd(text: string, start: number): number | JsonSyntaxError {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return { position: i, problem: 'control character in a string (escape it)' };
    if (c === 0x5c) {
      const next = text[i + 1];
      if (next === 'u') {
        if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(i + 2, i + 6))) return { position: i, problem: 'bad \\u escape in a string' };
        i += 5;
      } else if (next !== undefined && '"\\/bfnrt'.includes(next)) i++;
      else return { position: i, problem: 'bad escape in a string' };
    }
  }
  return { position: text.length, problem: 'unexpected end of input inside a string' };
}

/** The index after a number or `true`/`false`/`null` at `start`, or null when there is none. */
function literalEnd(text: string, start: number): number | null {
  for (const word of ['true', 'false', 'null']) if (text.startsWith(word, start)) return start + word.length;
  NUMBER.lastIndex = start;
  return NUMBER.exec(text) ? NUMBER.lastIndex : null;
}
