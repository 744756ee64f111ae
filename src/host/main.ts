import { readFileSync } from 'node:fs';
import { createHost } from './createHost.js';
import { HostConfigError, loadConfig } from './loadConfig.js';

/** `npm start`: runs the host on the embedded defaults (or a config file, env and flags). */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig({ argv: process.argv.slice(2), env: process.env });
  } catch (error) {
    if (error instanceof HostConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const host = createHost(config, { version: pkg.version });
  let url: string;
  try {
    url = await host.listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' || code === 'EACCES' ? `cannot listen on ${config.listen.host}:${config.listen.port}: ${code}` : (error as Error).message;
    process.stderr.write(`the host did not start: ${why}\n`);
    await host.close().catch(() => undefined);
    process.exit(1);
  }
  const lines = [
    `worker-runtime host listening on ${url}`,
    `console: ${url}/#token=${host.tokenGenerated ? host.token : '<your configured token>'}`,
    host.tokenGenerated
      ? `API token (generated for this start, shown once): ${host.token}\n  use it as "Authorization: Bearer <token>"; set WORKER_RUNTIME_TOKEN to choose your own`
      : 'API token: the one configured (Authorization: Bearer <token>)',
    `profiles: ${host.runtime.profiles().map((p) => `${p.name}${p.available ? '' : ' (no backend: Workers are unavailable placeholders)'}`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: shutting down\n`);
    const force = setTimeout(() => {
      process.stderr.write('shutdown took too long; exiting\n');
      process.exit(1);
    }, config.shutdownGraceMs);
    force.unref();
    host.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
