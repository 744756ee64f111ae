// How the queue under the composer reads: one row per waiting input (position, a preview of its text,
// its age, Cancel), and one per input that just settled (its final outcome). Text goes in as text only.
import { el } from './dom.js';

const PREVIEW_CHARS = 140;
const MARKS = { committed: '✓', cancelled: '✕', expired: '⌛', rejected: '!', unknown: '?' };

/** The text of a queued input, on one line (a user turn's text segments, or a notification's message). */
export function previewOf(input) {
  const text =
    input?.kind === 'notify'
      ? `notify: ${input.message ?? ''}`
      : (Array.isArray(input?.segments) ? input.segments : []).map((s) => (s?.kind === 'text' ? String(s.content ?? '') : `[${s?.kind ?? '?'}]`)).join(' ');
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line || '(empty)';
}

/** A settlement as a person reads it: committed, cancelled, expired, `rejected: <reason>`, `unknown: <diagnostic>`. */
export function settledLabel(settlement) {
  const { outcome, reason } = settlement;
  if (outcome === 'committed') return 'committed';
  if (outcome === 'cancelled') return reason === 'cancelled' ? 'cancelled' : `cancelled: ${reason}`;
  if (outcome === 'expired') return 'expired: waited too long';
  if (outcome === 'unknown') return `unknown: ${settlement.diagnostic?.code ?? reason}`;
  return `${outcome}: ${reason}`;
}

/** "just now", "12 s", "3 min 4 s". */
export function age(queuedAt, now = Date.now()) {
  const seconds = Math.floor(Math.max(0, now - queuedAt) / 1000);
  if (seconds < 1) return 'just now';
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A waiting input: `cancel(submissionId)` on its button; none while it is being handed to the backend. */
export function waitingRow(entry, { cancelling, cancel }) {
  const dispatching = entry.state === 'dispatching';
  const preview = previewOf(entry.input);
  return el(
    'li',
    { class: 'queued', data: { submissionId: entry.submissionId, state: entry.state, position: entry.position } },
    el('span', { class: 'pos', title: entry.interrupt ? 'interrupting: goes ahead of plain queued inputs' : 'its place in the queue (1: next)', text: String(entry.position) }),
    el('span', { class: 'preview', title: preview, text: preview }),
    el('span', { class: 'age', data: { queuedAt: entry.queuedAt }, text: dispatching ? 'sending…' : age(entry.queuedAt) }),
    dispatching
      ? el('span', { class: 'cancel-slot' })
      : el('button', { type: 'button', class: 'cancel-queued', disabled: cancelling, title: 'Take this input out of the queue', on: { click: () => cancel(entry.submissionId) }, text: cancelling ? '…' : 'Cancel' }),
  );
}

/** An input that just settled: its outcome, its detail (message or diagnostic) on hover. */
export function settledRow(entry, settlement) {
  const detail = settlement.diagnostic ? `${settlement.diagnostic.code}: ${settlement.diagnostic.message}` : (settlement.message ?? '');
  return el(
    'li',
    { class: 'queued settled', data: { submissionId: settlement.submissionId, state: 'settled', outcome: settlement.outcome, reason: settlement.reason } },
    el('span', { class: 'pos', text: MARKS[settlement.outcome] ?? '·' }),
    el('span', { class: 'preview', text: entry ? previewOf(entry.input) : settlement.submissionId }),
    el('span', { class: 'result', title: detail || null, text: settledLabel(settlement) }),
  );
}
