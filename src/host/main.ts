#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detectAgents, type DetectedAgent } from './agentDetection.js';
import { HostConfigError } from './configIssues.js';
import { createHost, type Host } from './createHost.js';
import { HOST_HELP } from './hostHelp.js';
import { loadConfig, parseFlags } from './loadConfig.js';
import { startupBanner } from './startupBanner.js';

// `npm start` and `npx worker-runtime`: the host on the embedded defaults, or a config file, env and flags.

// Signal handlers come before anything else: a signal at any moment after this line, during the start
// or right after the banner, shuts the host down cleanly instead of killing it.
let host: Host | null = null;
let starting = true;
let stopping = false;
let exitCode = 0;
let graceMs = 15_000;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
// A reader that went away (`| head`) must not turn into an EPIPE crash: output is dropped from then on.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const say = (text: string) => void (process.stdout.writable && process.stdout.write(`${text}\n`));
const complain = (text: string) => void (process.stderr.writable && process.stderr.write(`${text}\n`));

function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  say(`${signal}: shutting down`);
  const force = setTimeout(() => {
    complain('shutdown took too long; exiting');
    process.exit(1);
  }, graceMs);
  force.unref();
  // While starting, main() finishes once listen settles; closing under a pending listen would race it.
  if (!starting) void finish();
}

async function finish(): Promise<void> {
  try {
    await host?.close();
    process.exit(exitCode);
  } catch (error) {
    complain(`shutdown failed: ${(error as Error).message}`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  let detected: DetectedAgent[] = [];
  let noDetect = false;
  try {
    const flags = parseFlags(argv);
    if (flags.help) return void say(HOST_HELP);
    if (flags.version) return void say(pkg.version);
    noDetect = flags['no-detect'] === true;
    detected = noDetect ? [] : detectAgents(process.env.PATH);
    const config = loadConfig({ argv, env: process.env, agents: detected });
    graceMs = config.shutdownGraceMs;
    host = createHost(config, { version: pkg.version });
    const url = await host.listen().catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'EADDRINUSE' || code === 'EACCES' ? `cannot listen on ${config.listen.host}:${config.listen.port}: ${code}` : (error as Error).message;
      complain(`the host did not start: ${why}`);
      exitCode = 1;
      return null;
    });
    if (url === null || stopping) return void (await finish());
    const profiles = host.runtime.profiles().map((p) => ({ ...p, backend: config.profiles[p.name]?.backend ?? null }));
    const placeholderOnly = profiles.length === 1 && profiles[0]!.name === 'default' && profiles[0]!.backend === null;
    const detection = noDetect ? 'off' : placeholderOnly || profiles.some((p) => detected.some((a) => a.profile === p.name)) ? detected : 'configured';
    const fakeConfig = relative(process.cwd(), fileURLToPath(new URL('../../examples/host-fake.json', import.meta.url)));
    const banner = startupBanner({ url, token: host.token, tokenGenerated: host.tokenGenerated, profiles, detection, fakeConfigPath: fakeConfig });
    for (const warning of banner.warnings) complain(warning);
    say(banner.lines.join('\n'));
  } catch (error) {
    if (!(error instanceof HostConfigError)) throw error;
    complain(error.message);
    exitCode = 2;
    if (host === null) return void (process.exitCode = 2);
    await finish();
  } finally {
    starting = false;
  }
}

void main();
