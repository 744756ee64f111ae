// `npm run build`: compiles src/ to dist/ (incrementally), then stamps the build so that `npm start`
// can tell a fresh dist/ without running the compiler.
//   --clean     remove dist/ and the incremental state first (prepack: a package never ships stale files)
//   --if-stale  build only when a source changed since the last build (npm start, npm run example)
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILD_INFO, freshness, STAMP } from './freshness.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Builds dist/ unless `ifStale` and it is fresh; returns the process exit status. */
export function build({ clean = false, ifStale = false } = {}) {
  if (ifStale && !clean) {
    const state = freshness(root);
    if (state.fresh) return 0;
    process.stderr.write(`building dist/ (${state.why})\n`);
  }
  // Without dist/ the incremental state would make tsc believe there is nothing to emit.
  if (clean || !existsSync(join(root, 'dist/index.js'))) rmSync(join(root, BUILD_INFO), { force: true });
  if (clean) rmSync(join(root, 'dist'), { recursive: true, force: true });
  const started = new Date();
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
  if (run.status !== 0) return run.status ?? 1;
  mkdirSync(join(root, dirname(STAMP)), { recursive: true });
  closeSync(openSync(join(root, STAMP), 'w'));
  // The stamp carries the time the build started: a source saved during the build stays "changed".
  utimesSync(join(root, STAMP), started, started);
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exit(build({ clean: process.argv.includes('--clean'), ifStale: process.argv.includes('--if-stale') }));
}
