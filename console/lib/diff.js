// A line diff of an edit (ACP `diff` content: a path, the old text, the new text) for a tool card.
import { el } from './dom.js';

const MAX_CELLS = 250_000;

/** Lines of the edit as `[kind, text]`, kind `add`, `del` or `ctx` (an LCS diff; for huge texts, old then new). */
export function diffLines(oldText, newText) {
  const a = oldText ? oldText.replace(/\n$/, '').split('\n') : [];
  const b = newText.replace(/\n$/, '').split('\n');
  if (a.length * b.length > MAX_CELLS) return [...a.map((t) => ['del', t]), ...b.map((t) => ['add', t])];
  const lcs = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(['ctx', a[i]]);
      i++;
      j++;
    }
    else if (j < b.length && (i >= a.length || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(['add', b[j++]]);
    else out.push(['del', a[i++]]);
  }
  return out;
}

/** The edit as a block: its path, then its lines (a run of 4 or more unchanged lines away from a change folded). */
export function diffView({ path, old_text: oldText, new_text: newText }) {
  const lines = diffLines(oldText ?? '', newText ?? '');
  const near = lines.map((_, k) => lines.slice(Math.max(0, k - 2), k + 3).some(([kind]) => kind !== 'ctx'));
  const shown = [];
  for (let k = 0; k < lines.length; ) {
    let end = k;
    while (end < lines.length && !near[end]) end++;
    if (end - k >= 4) {
      shown.push(el('div', { class: 'line fold', text: `⋯ ${end - k} unchanged lines` }));
      k = end;
      continue;
    }
    const [kind, text] = lines[k++];
    shown.push(el('div', { class: `line ${kind}`, text }));
  }
  const added = lines.filter(([k]) => k === 'add').length;
  const removed = lines.filter(([k]) => k === 'del').length;
  return el('div', { class: 'diff' }, el('div', { class: 'path', text: `${path || '(file)'}  +${added} −${removed}${oldText == null ? ' (new file)' : ''}` }), shown);
}
