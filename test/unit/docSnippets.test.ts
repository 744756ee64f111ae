import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/host/loadConfig.js';
import { EXAMPLES } from '../support/examples.js';

const CODE = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'sh', 'bash', 'shell', 'console', 'zsh']);
/** Agent configuration files (TOML, or JSON that is not a host config), shown verbatim from examples/agents/. */
const isAgentConfig = (b: { marker: string | null }): boolean => b.marker !== null && (EXAMPLES as Record<string, string>)[b.marker] === 'agent-config';
const MARKER = /^<!-- (example|excerpt): (\S+) -->$/;
/** An unlabelled block is output or a diagram; these lines would make it a snippet in disguise. */
const LOOKS_LIKE_CODE = /^\s*(import |export |const |let |await |npm |npx |curl |node |sh |cat |\$ )/m;

interface Block {
  readonly doc: string;
  readonly line: number;
  readonly lang: string;
  readonly text: string;
  readonly marker: string | null;
  /** An excerpt shows some of the file's lines, in order; an example shows the whole file. */
  readonly excerpt: boolean;
}

function blocks(doc: string): Block[] {
  const lines = readFileSync(doc, 'utf8').split('\n');
  const found: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${doc}:${i + 1}: unclosed code block`);
    let before = i - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const marked = before >= 0 ? MARKER.exec(lines[before]!.trim()) : null;
    const marker = marked?.[2] ?? null;
    found.push({ doc, line: i + 1, lang: open[1]!, text: lines.slice(i + 1, end).join('\n') + '\n', marker, excerpt: marked?.[1] === 'excerpt' });
    i = end;
  }
  return found;
}

const DOCS = ['README.md', ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
const ALL = DOCS.flatMap(blocks);

describe('snippets in README.md and docs/', () => {
  it.each(ALL.filter((b) => CODE.has(b.lang) || isAgentConfig(b)).map((b) => [`${b.doc}:${b.line}`, b] as const))(
    '%s is a file under examples/ that a test runs, shown verbatim (or an excerpt of it)',
    (_where, block) => {
      expect(block.marker, 'a TS or shell snippet needs <!-- example: examples/<file> --> (or excerpt:) above it').toMatch(/^examples\//);
      expect(Object.keys(EXAMPLES), `${block.marker} must be listed in test/support/examples.ts (where a test runs it)`).toContain(block.marker);
      const file = readFileSync(block.marker!, 'utf8');
      if (!block.excerpt) return expect(block.text, `the snippet must equal ${block.marker}`).toBe(file);
      const shown = block.text.split('\n').filter((l) => l.trim() !== '');
      expect(shown.length, 'an excerpt shows at least one line').toBeGreaterThan(0);
      const own = file.split('\n').map((l) => l.trim());
      let at = 0;
      for (const line of shown) {
        const found = own.indexOf(line.trim(), at);
        expect(found, `"${line.trim()}" must be a line of ${block.marker}, after the excerpt's previous line`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    },
  );

  it('every listed example is shown somewhere, and no unlabelled block hides code', () => {
    const shown = new Set(ALL.map((b) => b.marker));
    expect(Object.keys(EXAMPLES).filter((file) => !shown.has(file))).toEqual([]);
    const disguised = ALL.filter((b) => b.lang === '' && LOOKS_LIKE_CODE.test(b.text)).map((b) => `${b.doc}:${b.line}`);
    expect(disguised).toEqual([]);
    expect(ALL.filter((b) => b.lang !== '' && b.lang !== 'json' && !CODE.has(b.lang) && !isAgentConfig(b)).map((b) => `${b.doc}:${b.line} ${b.lang}`)).toEqual([]);
  });

  it.each(ALL.filter((b) => b.lang === 'json' && !isAgentConfig(b)).map((b) => [`${b.doc}:${b.line}`, b] as const))(
    '%s is a host configuration that starts (parses, profiles checked)',
    (_where, block) => {
      const file = join(mkdtempSync(join(tmpdir(), 'wr-doc-')), 'config.json');
      writeFileSync(file, block.text);
      expect(() => loadConfig({ argv: ['--config', file] })).not.toThrow();
    },
  );
});
