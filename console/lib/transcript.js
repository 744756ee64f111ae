// One Worker's transcript: renders its protocol events, in order, into the stream element. Messages
// (agent text as markdown), thinking, tool cards, decision cards, errors, and each run's end (finished,
// cancelled, failed, limit reached) with its duration and usage. It also keeps the Worker's usage figures.
import { DecisionCard, ToolCard } from './cards.js';
import { duration, el } from './dom.js';
import { renderMarkdown } from './markdown.js';

const RUN_ENDING_ERRORS = new Set(['provider_error', 'internal', 'not_running']);

export class Transcript {
  /** `onUsage(usage)` hears every change of the usage figures; `decide(decisionId, optionId)` answers a decision. */
  constructor(root, { decide, onUsage }) {
    this.root = root;
    this.decide = decide;
    this.onUsage = onUsage;
    this.pending = new Map();
    this.reset();
  }

  reset() {
    this.root.replaceChildren();
    this.assistant = null;
    this.thinking = null;
    this.tools = new Map();
    this.decisions = [];
    this.run = null;
    this.usage = { contextTokens: null, contextWindow: null, inputTokens: 0, outputTokens: 0, cost: null };
    this.onUsage(this.usage);
  }

  /** The Worker's open decisions (`pendingDecisions` of its projection): their buttons are enabled. */
  setPending(pendingDecisions) {
    this.pending = new Map(pendingDecisions.map((d) => [d.id, d]));
    this.sticking(() => {
      for (const card of this.decisions) card.setPending(this.pending.get(card.decisionId) ?? null);
    });
  }

  /** Runs `change`; a reader who was at the bottom stays there (one who scrolled up is left alone). */
  sticking(change) {
    const atBottom = this.root.scrollTop + this.root.clientHeight >= this.root.scrollHeight - 40;
    change();
    if (atBottom) this.root.scrollTop = this.root.scrollHeight;
  }

  add(node) {
    this.root.append(node);
    return node;
  }

  /** One observation frame (`{ event, publishedAt, ... }`). */
  show(frame) {
    const { event: name, data = {} } = frame.event;
    const handler = HANDLERS[name];
    if (handler) this.sticking(() => handler.call(this, data, frame));
  }

  note(kind, text) {
    let node;
    this.sticking(() => (node = this.add(el('div', { class: `entry ${kind}`, text }))));
    return node;
  }

  text(delta, done) {
    this.thinking = this.closeThinking();
    if (!this.assistant) {
      const body = el('div', { class: 'markdown' });
      this.assistant = { node: this.add(el('div', { class: 'entry assistant' }, body)), body, text: '', frame: 0 };
    }
    const block = this.assistant;
    block.text = done ?? block.text + delta;
    // Rendered at most once a frame while it streams; the whole block again once it is done.
    if (done !== undefined) {
      cancelAnimationFrame(block.frame);
      renderMarkdown(block.body, block.text);
      this.assistant = null;
    } else if (!block.frame) {
      block.frame = requestAnimationFrame(() => {
        block.frame = 0;
        renderMarkdown(block.body, block.text);
        if (this.root.scrollHeight - this.root.scrollTop - this.root.clientHeight < 120) this.root.scrollTop = this.root.scrollHeight;
      });
    }
  }

  closeThinking() {
    if (this.thinking) this.thinking.node.open = false;
    return null;
  }

  tool(id, fallback) {
    let card = this.tools.get(id);
    if (!card) {
      card = new ToolCard({ id, ...fallback });
      this.tools.set(id, card);
      this.add(card.node);
    }
    return card;
  }

  updateUsage(data) {
    const u = this.usage;
    if (typeof data.context_tokens === 'number') u.contextTokens = data.context_tokens;
    if (typeof data.context_window === 'number') u.contextWindow = data.context_window;
    if (typeof data.input_tokens === 'number') u.inputTokens += data.input_tokens;
    if (typeof data.output_tokens === 'number') u.outputTokens += data.output_tokens;
    if (data.cost && typeof data.cost.amount === 'number') u.cost = data.cost;
    if (this.run) {
      this.run.input += data.input_tokens ?? 0;
      this.run.output += data.output_tokens ?? 0;
    }
    this.onUsage(u);
  }
}

const HANDLERS = {
  user_message(data, frame) {
    this.assistant = null;
    this.thinking = this.closeThinking();
    this.run = { startedAt: frame.publishedAt, failed: null, input: 0, output: 0 };
    const text = (data.segments ?? []).map((s) => s.content ?? s.path ?? `[${s.kind}]`).join('\n');
    this.note('user', text);
  },
  text_delta(data) {
    if (typeof data.text === 'string') this.text(data.text);
  },
  text_done(data) {
    if (typeof data.text === 'string') this.text('', data.text);
  },
  thinking_delta(data) {
    if (!this.thinking) {
      const text = el('div', { class: 'text' });
      const node = el('details', { class: 'entry thinking', open: true }, el('summary', { text: 'Thinking' }), text);
      this.thinking = { node: this.add(node), text };
    }
    this.thinking.text.textContent += data.text ?? '';
  },
  thinking_done() {
    this.thinking = this.closeThinking();
  },
  tool_call_start(data) {
    this.assistant = null;
    this.tool(data.id, { name: data.name, title: data.title, kind: data.kind });
  },
  tool_call_done(data) {
    this.tool(data.id, { name: data.name }).setArguments(data.arguments);
  },
  acp_tool_call_update(data) {
    this.tool(data.id, {}).update(data);
  },
  tool_result(data) {
    this.tool(data.id, {}).setResult(data);
  },
  permission_request(data) {
    this.assistant = null;
    const card = new DecisionCard(data, this.decide);
    this.decisions.push(card);
    this.add(card.node);
    card.setPending(this.pending.get(card.decisionId) ?? null);
  },
  permission_resolved(data) {
    const card =
      (data.decision_id && this.decisions.find((c) => c.decisionId === data.decision_id)) ||
      [...this.decisions].reverse().find((c) => !c.resolved && c.toolId === data.id);
    card?.resolve(data);
  },
  usage(data) {
    this.updateUsage(data);
  },
  error(data) {
    this.note('error', `error ${data.code}: ${data.message}`);
    if (this.run && RUN_ENDING_ERRORS.has(data.code)) this.run.failed = data.code;
  },
  alert(data) {
    this.note('alert', `${data.level}: ${data.message}`);
  },
  acp_plan(data) {
    const entries = Array.isArray(data.entries) ? data.entries : [];
    const items = entries.map((e) => el('li', { data: { status: e.status ?? '' }, text: String(e.content ?? '') }));
    this.add(el('div', { class: 'entry card plan' }, el('div', { class: 'head' }, el('span', { class: 'chip', text: 'plan' })), el('ul', {}, items)));
  },
  run_end(data, frame) {
    this.assistant = null;
    this.thinking = this.closeThinking();
    const run = this.run;
    const failed = run?.failed || data.stop_reason === 'error';
    const result = data.stop_reason === 'cancelled' ? 'cancelled' : failed ? 'failed' : data.result === 'limit_reached' ? 'limit' : 'finished';
    const label = { cancelled: 'Run cancelled', failed: `Run failed${run?.failed ? ` (${run.failed})` : ''}`, limit: `Run stopped at a limit (${data.stop_reason ?? 'limit_reached'})`, finished: 'Run finished' }[result];
    const parts = [label];
    if (run?.startedAt) parts.push(duration(frame.publishedAt - run.startedAt));
    if (run && (run.input || run.output)) parts.push(`${run.input} in · ${run.output} out`);
    this.add(el('div', { class: 'entry run-end', data: { result }, text: parts.join(' · ') }));
    this.run = null;
  },
};
