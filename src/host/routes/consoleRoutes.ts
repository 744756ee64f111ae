import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CONSOLE_DIR = new URL('../../../console/', import.meta.url);
const JS = 'text/javascript; charset=utf-8';

/** One file of the console, served without a token (it holds no data; the API it calls needs one). */
export interface ConsoleAsset {
  readonly path: string;
  readonly type: string;
  read(): Promise<Buffer | string>;
}

const fromConsole = (name: string) => () => readFile(new URL(name, CONSOLE_DIR));

/** markdown-it's self-contained browser build, from the installed package (its source-map comment left out). */
function markdownIt(): () => Promise<string> {
  let text: Promise<string> | null = null;
  return () => {
    text ??= (async () => {
      const packageJson = createRequire(import.meta.url).resolve('markdown-it/package.json');
      const source = await readFile(new URL('dist/browser/markdown-it.esm.min.mjs', `file://${packageJson}`), 'utf8');
      return source.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    })();
    return text;
  };
}

/**
 * The console's files: the page, its styles and scripts (ES modules, no build step: every module in
 * `console/lib/` is served as it is), the favicon and the markdown renderer it uses (markdown-it).
 */
export function consoleAssets(): ConsoleAsset[] {
  const modules = readdirSync(new URL('lib/', CONSOLE_DIR)).filter((name) => /^[a-z][a-zA-Z0-9]*\.js$/.test(name)).sort();
  return [
    { path: '/', type: 'text/html; charset=utf-8', read: fromConsole('index.html') },
    { path: '/console.js', type: JS, read: fromConsole('console.js') },
    { path: '/console.css', type: 'text/css; charset=utf-8', read: fromConsole('console.css') },
    { path: '/favicon.ico', type: 'image/svg+xml', read: fromConsole('favicon.svg') },
    { path: '/console/favicon.svg', type: 'image/svg+xml', read: fromConsole('favicon.svg') },
    ...modules.map((name) => ({ path: `/console/lib/${name}`, type: JS, read: fromConsole(`lib/${name}`) })),
    { path: '/console/vendor/markdown-it.mjs', type: JS, read: markdownIt() },
  ];
}

const PUBLIC = { config: { access: 'public' } } as const;
const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/** Registers every console file as a public GET route. */
export function consoleRoutes(app: FastifyInstance, assets: readonly ConsoleAsset[] = consoleAssets()): void {
  for (const asset of assets) {
    app.get(asset.path, PUBLIC, async (_request, reply: FastifyReply) =>
      reply
        .header('content-type', asset.type)
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(await asset.read()),
    );
  }
}
