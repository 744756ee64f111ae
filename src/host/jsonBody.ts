import type { FastifyInstance } from 'fastify';
import { jsonSyntaxError } from './jsonSyntaxError.js';
import { InvalidRequestError } from './routes/validation.js';

/** Nesting deeper than this is refused before parsing (every body the API takes is at most 4 levels deep). */
export const MAX_JSON_DEPTH = 32;

/**
 * The JSON body parser: depth is bounded by a scan without recursion before `JSON.parse` (a client
 * controls the nesting; nothing downstream may recurse over it), prototype keys are refused as
 * fastify's own parser does, and invalid JSON is named by line, column and position, never echoed.
 * Only `application/json` is parsed: any other content type is 415.
 */
export function installJsonBody(app: FastifyInstance): void {
  const secureParse = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.length === 0) return done(new InvalidRequestError('empty body: send a JSON object'), undefined);
    const tooDeep = depthExceededAt(text, MAX_JSON_DEPTH);
    if (tooDeep >= 0) return done(new InvalidRequestError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels (${where(text, tooDeep)})`), undefined);
    secureParse(request, text, (error, value) => {
      if (!error) return done(null, value);
      const syntax = jsonSyntaxError(text);
      if (syntax) return done(new InvalidRequestError(`invalid JSON at ${where(text, syntax.position)}: ${syntax.problem}`), undefined);
      done(new InvalidRequestError('forbidden property name (__proto__ or constructor.prototype)'), undefined);
    });
  });
}

/** The index where nesting first exceeds `limit`, or -1; brackets inside strings do not count. */
export function depthExceededAt(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

function where(text: string, position: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < position; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return `line ${line}, column ${position - lineStart + 1} (position ${position})`;
}
