// Agent text as markdown, rendered by markdown-it (served by the host from its npm package) with raw
// HTML disabled (`html: false`: any tag in the text is shown as text), images off, and links only
// to http(s) and mailto, opened in a new tab without a referrer.
import markdownit from '../vendor/markdown-it.mjs';

const md = markdownit({ html: false, linkify: true, typographer: false, breaks: false });
md.disable(['image']);
const ALLOWED = /^(https?:|mailto:)/i;
md.validateLink = (url) => ALLOWED.test(url.trim());

const renderToken = (tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options);
const linkOpen = md.renderer.rules.link_open ?? renderToken;
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return linkOpen(tokens, idx, options, env, self);
};

/** Renders `text` into `node` (replacing what it showed), with a copy button on each code block. */
export function renderMarkdown(node, text) {
  node.innerHTML = md.render(text);
  for (const pre of node.querySelectorAll('pre')) {
    if (!navigator.clipboard) continue;
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.className = 'copy';
    copy.textContent = 'Copy';
    copy.addEventListener('click', () => {
      navigator.clipboard.writeText(pre.querySelector('code')?.textContent ?? pre.textContent).then(
        () => (copy.textContent = 'Copied'),
        () => (copy.textContent = 'Copy failed'),
      );
    });
    pre.append(copy);
  }
}
