// `npm run bench [-- name ...]`: builds dist/ when stale, compiles bench/*.ts to .bench-js/ with tsc and
// runs the compiled scripts with plain node, so every figure is of the shipped JavaScript (no tsx).
// The benchmarks import the library by its package name (`worker-runtime`, `worker-runtime/host`, ...),
// which node resolves to dist/ through package.json "exports".
//   npm run bench                  every benchmark, each in its own process, then a summary
//   npm run bench -- publish sse   only the scripts whose file names start with these words
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = build({ ifStale: true });
if (built !== 0) process.exit(built);
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.bench.json')], { stdio: 'inherit', cwd: root });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);
const run = spawnSync(process.execPath, [join(root, '.bench-js/run-all.js'), ...process.argv.slice(2)], { stdio: 'inherit', cwd: root });
process.exit(run.status ?? 1);
