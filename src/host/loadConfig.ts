import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { HostConfigSchema, type HostConfig } from './hostConfig.js';

/** A configuration that cannot start the host; the message names each offending field. */
export class HostConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostConfigError';
  }
}

export interface ConfigSources {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Builds the host configuration: embedded defaults, then the config file (`--config` or
 * WORKER_RUNTIME_CONFIG), then environment (WORKER_RUNTIME_TOKEN, WORKER_RUNTIME_HOST/PORT), then flags
 * (`--host`, `--port`, `--log-level`). Validated once with zod.
 */
export function loadConfig({ argv = [], env = {} }: ConfigSources = {}): HostConfig {
  const flags = parseFlags(argv);
  const file = flags.config ?? env.WORKER_RUNTIME_CONFIG;
  const raw = file ? readConfigFile(file) : {};
  const merged: Record<string, unknown> = { ...raw };
  const listen = { ...((raw.listen as object | undefined) ?? {}) } as Record<string, unknown>;
  if (env.WORKER_RUNTIME_HOST) listen.host = env.WORKER_RUNTIME_HOST;
  if (env.WORKER_RUNTIME_PORT) listen.port = toPort(env.WORKER_RUNTIME_PORT, 'WORKER_RUNTIME_PORT');
  if (flags.host) listen.host = flags.host;
  if (flags.port) listen.port = toPort(flags.port, '--port');
  if (Object.keys(listen).length > 0) merged.listen = listen;
  if (env.WORKER_RUNTIME_TOKEN) merged.token = env.WORKER_RUNTIME_TOKEN;
  if (flags['log-level']) merged.log = { ...((raw.log as object | undefined) ?? {}), level: flags['log-level'] };
  return parseConfig(merged, file ?? 'defaults');
}

export function parseConfig(raw: unknown, source = 'config'): HostConfig {
  const parsed = HostConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new HostConfigError(`invalid configuration (${source}):\n${describeIssues(parsed.error)}`);
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`).join('\n');
}

function parseFlags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string', short: 'c' },
        host: { type: 'string' },
        port: { type: 'string', short: 'p' },
        'log-level': { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new HostConfigError(`invalid command line: ${(error as Error).message}`);
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HostConfigError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new HostConfigError(`config file ${path} is not a JSON object: ${(error as Error).message}`);
  }
}

function toPort(value: string, field: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new HostConfigError(`invalid configuration:\n  ${field}: not a port number: ${value}`);
  return port;
}
