// The first screen (no Worker open): what to do next. On a host that cannot run any Worker (the
// embedded defaults with no agent found), it says which config to start it with instead.
import { el } from './dom.js';

const code = (text) => el('code', { text });

export function renderWelcome(node, summary, workerCount) {
  const usable = summary.profiles.filter((p) => p.available);
  if (usable.length === 0) {
    node.replaceChildren(
      el(
        'div',
        { class: 'welcome', data: { kind: 'no-backend' } },
        el('h3', { text: 'This host cannot run Workers yet' }),
        el('p', {}, 'None of its profiles has a backend that runs here (', ...summary.profiles.map((p, i) => [i ? ', ' : '', code(p.name)]), '), so a Worker made now would only be an unavailable placeholder.'),
        el('p', { text: 'Stop the host and start it again with a configuration. In a clone of worker-runtime:' }),
        el('div', { class: 'step' }, code('npm start -- --config examples/host-acp-demo.json'), el('div', { class: 'muted', text: 'A scripted ACP demo agent (not a model, no account needed): it streams text, runs a pretend tool and asks you for permission.' })),
        el('div', { class: 'step' }, code('npm start -- --config examples/host-fake.json'), el('div', { class: 'muted', text: 'The scripted fake backend (a test double).' })),
        el('p', {}, 'To run a real agent (Gemini CLI, Claude Code, Codex, opencode), install it on PATH and start the host again, or name it in a config: see ', code('docs/acp.md'), '.'),
      ),
    );
    return;
  }
  const demo = usable.some((p) => p.name.startsWith('demo'));
  const queues = usable.filter((p) => p.busyPolicy && p.busyPolicy !== 'reject');
  node.replaceChildren(
    el(
      'div',
      { class: 'welcome', data: { kind: 'ready' } },
      el('h3', { text: workerCount ? 'Open a Worker, or create one' : 'Create your first Worker' }),
      el('ol', {}, el('li', { text: 'Pick a profile under “New Worker” and press Create.' }), el('li', { text: 'Write to it below its stream; replies, tool calls and their diffs appear as they happen.' }), el('li', { text: 'When its agent asks permission, the Worker shows “needs you”: answer in the card.' })),
      usable.some((p) => p.backend === 'fake') ? el('p', {}, 'The fake backend keeps a run going while its input says ', code('#hold'), ' (end it with Cancel run).') : null,
      queues.length ? el('p', {}, 'Workers of ', ...queues.map((p, i) => [i ? ', ' : '', code(p.name)]), ' take input while busy: it waits in a queue under the composer, where you can cancel it.') : null,
      demo ? el('p', {}, 'The scripted demo agent reacts to words: ', code('write'), ' (asks your permission), ', code('tool'), ', ', code('think'), ', ', code('markdown'), ', ', code('long'), ' (then try Cancel run).') : null,
      el('p', { class: 'muted', text: `Profiles here: ${usable.map((p) => `${p.displayName ?? p.name} (${p.backend})`).join('; ')}.` }),
    ),
  );
}
