import { BusyPolicySchema } from '../domain/busyPolicy.js';
import { IDEMPOTENCY_KEY_PATTERN } from '../domain/queuedInput.js';
import { WORKER_ID_PATTERN } from '../domain/workerRef.js';
import type { InputBody } from './httpSchemas.js';

const POLICIES: ReadonlySet<unknown> = new Set(BusyPolicySchema.options);
const USER_KEYS: ReadonlySet<string> = new Set(['kind', 'content', 'idempotencyKey', 'busyPolicy']);
const NOTIFY_KEYS: ReadonlySet<string> = new Set(['kind', 'message', 'autoRun', 'idempotencyKey', 'busyPolicy']);

/**
 * The input route's common bodies checked by hand: `{ kind: 'user', content }` and `{ kind: 'notify',
 * message, autoRun? }`, each with an optional `idempotencyKey` and `busyPolicy`, as a plain object
 * with nothing else. Answers what `InputBodySchema` parses such a body to, or null whenever it is not
 * that shape (segments, a missing or extra key, any value out of bounds): then the schema decides, with
 * its own error. It never accepts a body the schema refuses (a property test holds it to that).
 */
export function plainInputBody(body: unknown): InputBody | null {
  if (typeof body !== 'object' || body === null || Object.getPrototypeOf(body) !== Object.prototype) return null;
  const fields = body as Record<string, unknown>;
  const kind = fields.kind;
  const allowed = kind === 'user' ? USER_KEYS : kind === 'notify' ? NOTIFY_KEYS : null;
  if (allowed === null) return null;
  for (const key of Object.keys(fields)) if (!allowed.has(key) || fields[key] === undefined) return null;
  const { idempotencyKey, busyPolicy } = fields;
  if (idempotencyKey !== undefined && !(typeof idempotencyKey === 'string' && IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))) return null;
  if (busyPolicy !== undefined && !POLICIES.has(busyPolicy)) return null;
  if (kind === 'user') {
    const content = fields.content;
    if (typeof content !== 'string' || content.length === 0) return null;
    return fields as InputBody;
  }
  const { message, autoRun } = fields;
  if (typeof message !== 'string' || message.length === 0) return null;
  if (autoRun !== undefined && typeof autoRun !== 'boolean') return null;
  return fields as InputBody;
}

/** The `:workerId` of a route when it is a valid Worker id, else null (then the params schema answers, with its error). */
export function plainWorkerId(params: unknown): string | null {
  const id = (params as { workerId?: unknown } | null)?.workerId;
  return typeof id === 'string' && WORKER_ID_PATTERN.test(id) && Object.keys(params as object).length === 1 ? id : null;
}
