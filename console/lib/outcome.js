// The line under a form that shows an operation's typed result (`data-outcome`, `data-reason`), or a
// refusal's error code when there is no result.
import { $ } from './dom.js';

export function showOutcome(id, result, text) {
  const line = $(id);
  delete line.dataset.outcome;
  delete line.dataset.reason;
  delete line.dataset.error;
  if (!result) {
    line.textContent = '';
    line.className = 'outcome';
    return;
  }
  const detail = result.diagnostic ? ` (${result.diagnostic.code}: ${result.diagnostic.message})` : result.message ? `: ${result.message}` : '';
  line.textContent = text ?? `${result.operation}: ${result.outcome} — ${result.reason}${detail}`;
  line.className = `outcome outcome-${result.outcome}`;
  line.dataset.outcome = result.outcome;
  line.dataset.reason = result.reason;
}

/** A reply: its typed result, else (a refused request, the host unreachable) its error code. */
export function showReply(id, operation, body) {
  if (body.result) return showOutcome(id, body.result);
  showOutcome(id, null);
  const line = $(id);
  const code = body.error?.code ?? 'unknown_error';
  line.textContent = `${operation}: ${code}${body.error?.message ? ` — ${body.error.message}` : ''}`;
  line.className = 'outcome outcome-errored';
  line.dataset.error = code;
}
