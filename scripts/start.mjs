// `npm start`: builds dist/ only when a source changed since the last build, then runs the host in
// this process (so signals reach it directly). Arguments after `--` go to the host.
import { build } from './build.mjs';

const status = build({ ifStale: true });
if (status !== 0) process.exit(status);
await import('../dist/host/main.js');
