// The sidebar's list of Workers: name (or id), state, and id · profile, as links to their URL.
import { el } from './dom.js';

export function renderWorkerList(list, workers, selected) {
  const sorted = [...workers.values()].sort((a, b) => a.createdAt - b.createdAt || a.workerId.localeCompare(b.workerId));
  list.replaceChildren(
    ...sorted.map((worker) =>
      el(
        'li',
        { class: worker.workerId === selected ? 'selected' : '', data: { workerId: worker.workerId } },
        el(
          'a',
          { href: `#/w/${encodeURIComponent(worker.workerId)}` },
          el('span', { class: 'name', text: worker.displayName ?? worker.workerId }),
          el('span', { class: `badge state-${worker.state}`, text: stateLabel(worker.state) }),
          el('span', { class: 'sub', text: `${worker.workerId} · ${worker.profile}` }),
        ),
      ),
    ),
  );
  return sorted.length;
}

/** `requires_action` reads as what it asks of a person. */
export function stateLabel(state) {
  return state === 'requires_action' ? 'needs you' : state;
}
