// Whether dist/ was built from the sources as they are now, by modification times (no compiler run):
// every file and directory under src/ (a deleted file changes its directory), the tsconfig files and
// package.json must be older than the stamp the last successful build wrote.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const STAMP = '.build/stamp';
export const BUILD_INFO = '.build/tsbuildinfo';
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];

/** { fresh: true } or { fresh: false, why } for the project at `root`. */
export function freshness(root) {
  if (!existsSync(join(root, 'dist/host/main.js'))) return { fresh: false, why: 'dist/ is not built yet' };
  let stamp;
  try {
    stamp = statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return { fresh: false, why: 'dist/ has no build stamp' };
  }
  for (const input of INPUTS) {
    const newer = newerThan(join(root, input), stamp);
    if (newer) return { fresh: false, why: `${newer.slice(root.length + 1)} changed since the last build` };
  }
  return { fresh: true };
}

function newerThan(path, stamp) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return null;
  }
  if (stat.mtimeMs > stamp) return path;
  if (!stat.isDirectory()) return null;
  for (const entry of readdirSync(path)) {
    const found = newerThan(join(path, entry), stamp);
    if (found) return found;
  }
  return null;
}
