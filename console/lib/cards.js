// Cards in a Worker's transcript: a tool call (kind, status, arguments, output, diffs) and a
// permission decision (its options as buttons while it waits; the outcome and who decided after).
import { diffView } from './diff.js';
import { clockTime, el } from './dom.js';

const LONG_LINES = 12;

/** Text in a <pre>, folded behind a summary when long. */
function block(label, text) {
  const lines = text.split('\n').length;
  const pre = el('pre', { text });
  if (lines <= LONG_LINES && text.length <= 1500) return el('div', { class: 'output' }, pre);
  return el('details', { class: 'output' }, el('summary', { text: `${label} (${lines} lines)` }), pre);
}

const asText = (value) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));

/** One line for small arguments (`path: notes.md`), else the JSON folded. */
function argumentsView(args) {
  if (args === null || args === undefined) return null;
  if (typeof args === 'object' && !Array.isArray(args)) {
    const entries = Object.entries(args);
    const small = entries.length <= 3 && entries.every(([, v]) => typeof v !== 'object' && String(v).length <= 80);
    if (small) return el('div', { class: 'args', text: entries.map(([k, v]) => `${k}: ${v}`).join(' · ') || '(no arguments)' });
  }
  return el('details', {}, el('summary', { text: 'Arguments' }), el('pre', { text: asText(args) }));
}

/** ACP tool call content items (from `acp_tool_call_update`): text, and diffs in ACP's own field names. */
function contentViews(content) {
  if (!Array.isArray(content)) return [];
  return content.flatMap((item) => {
    if (item?.type === 'diff' && typeof item.newText === 'string') return [diffView({ path: item.path, old_text: item.oldText ?? null, new_text: item.newText })];
    if (item?.type === 'content' && item.content?.type === 'text') return [block('Progress', item.content.text)];
    return [];
  });
}

export class ToolCard {
  constructor({ id, name, title, kind }) {
    this.id = id;
    this.status = el('span', { class: 'chip status', data: { status: 'pending' }, text: 'pending' });
    this.title = el('span', { class: 'title', text: title ?? name ?? 'tool call' });
    this.body = el('div');
    this.progress = el('div');
    this.node = el(
      'div',
      { class: 'entry card tool', data: { toolId: id } },
      el('div', { class: 'head' }, el('span', { class: 'chip', text: kind ?? name ?? 'tool' }), this.title, this.status),
      this.body,
      this.progress,
    );
  }

  setStatus(status) {
    this.status.dataset.status = status;
    this.status.textContent = status;
  }

  setArguments(args) {
    this.body.replaceChildren(...[argumentsView(args)].filter(Boolean));
    if (this.status.dataset.status === 'pending') this.setStatus('running');
  }

  /** An update that moved nothing else on (`acp_tool_call_update`): new title, status, progress content. */
  update({ status, title, content }) {
    if (title) this.title.textContent = title;
    if (status === 'in_progress') this.setStatus('running');
    const views = contentViews(content);
    if (views.length) this.progress.replaceChildren(...views);
  }

  setResult({ summary, output, is_error: isError }) {
    this.setStatus(isError ? 'failed' : 'completed');
    const parts = [];
    if (typeof summary === 'string' && summary && summary !== this.title.textContent) parts.push(el('div', { class: 'args', text: summary }));
    if (output && typeof output === 'object') {
      if (typeof output.text === 'string' && output.text) parts.push(block('Output', output.text));
      for (const diff of Array.isArray(output.diffs) ? output.diffs : []) parts.push(diffView(diff));
      if (output.raw_output !== undefined && !output.text) parts.push(block('Raw output', asText(output.raw_output)));
    } else if (typeof output === 'string' && output) parts.push(block('Output', output));
    if (parts.some((p) => p.classList.contains('diff'))) this.progress.replaceChildren();
    this.progress.append(...parts);
  }
}

const DECIDED_BY = {
  person: 'decided by a person',
  policy: "by the profile's policy",
  timeout: 'nobody answered in time: the fallback decided (decision_timeout)',
  cancelled: 'the run was cancelled or stopped before an answer',
};

export class DecisionCard {
  /** `request`: `permission_request` data; `decide(decisionId, optionId)` answers it (a typed result). */
  constructor(request, decide) {
    this.decisionId = request.decision_id ?? null;
    this.toolId = request.id;
    this.resolved = false;
    this.decide = decide;
    this.when = el('div', { class: 'when' });
    this.result = el('div', { class: 'result' });
    this.buttons = (request.options ?? []).map((option) =>
      el('button', { type: 'button', disabled: true, data: { kind: option.kind, optionId: option.id }, on: { click: () => this.answer(option.id) }, text: option.name || option.id }),
    );
    this.node = el(
      'div',
      { class: 'entry card decision', data: { open: String(this.decisionId !== null), decisionId: this.decisionId ?? '' } },
      el('div', { class: 'ask', text: 'Permission requested' }),
      el('div', { class: 'head' }, el('span', { class: 'chip', text: request.kind ?? 'permission' }), el('span', { class: 'title', text: request.title ?? 'The agent asks for permission' })),
      (this.options = el('div', { class: 'options' }, this.buttons)),
      this.when,
      this.result,
    );
    if (this.decisionId === null) this.when.textContent = 'answered by policy';
  }

  /** `pending`: this decision as the Worker's projection lists it (it waits for a person), or null. */
  setPending(pending) {
    if (this.resolved) return;
    for (const button of this.buttons) button.disabled = !pending || this.sending;
    this.when.textContent = pending ? `Waiting for you · the fallback answers at ${clockTime(pending.expiresAt)}` : this.sending ? 'Sending your answer…' : '';
  }

  async answer(optionId) {
    this.sending = true;
    this.setPending(null);
    const result = await this.decide(this.decisionId, optionId);
    this.sending = false;
    if (result?.outcome !== 'accepted' && !this.resolved) {
      this.result.dataset.outcome = 'rejected';
      this.result.textContent = `Not delivered: ${result?.reason ?? result?.error ?? 'unknown'}${result?.message ? ` (${result.message})` : ''}`;
    }
  }

  resolve(data) {
    this.resolved = true;
    this.node.dataset.open = 'false';
    this.options.hidden = true;
    const kind = String(data.option_kind ?? '');
    const outcome = data.outcome === 'cancelled' ? 'cancelled' : kind.startsWith('allow') ? 'allowed' : 'rejected';
    const label = { allowed: '✓ Allowed', rejected: '✗ Rejected', cancelled: '– Cancelled' }[outcome];
    this.node.dataset.outcome = outcome;
    this.node.dataset.decidedBy = data.decided_by ?? '';
    this.result.dataset.outcome = outcome;
    this.result.textContent = `${label}${data.option_name && outcome !== 'cancelled' ? ` (${data.option_name})` : ''} · ${DECIDED_BY[data.decided_by] ?? data.rule ?? ''}`;
    this.when.textContent = '';
  }
}
