import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_AGENTS, detectAgents } from '../../src/host/agentDetection.js';
import { HostConfigError, loadConfig } from '../../src/host/loadConfig.js';

const writeConfig = (value: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'wr-config-')), 'c.json');
  writeFileSync(file, JSON.stringify(value));
  return file;
};
const problems = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof HostConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a HostConfigError');
};

describe('loadConfig', () => {
  it('layers defaults, file, environment and flags', () => {
    const file = writeConfig({ listen: { port: 1111 }, token: 'file-token-000000000', log: { level: 'warn' } });
    const config = loadConfig({ argv: ['--config', file, '--port', '2222'], env: { WORKER_RUNTIME_TOKEN: 'env-token-0000000000' } });
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 2222 });
    expect(config.token).toBe('env-token-0000000000');
    expect(config.log).toEqual({ level: 'warn', format: 'auto' });
    expect(config.profiles).toEqual({ default: { backend: null, displayName: expect.stringMatching(/^No backend: install an ACP agent .* or start with --config examples\/host-fake.json$/) } });
    expect(config.bus.kind).toBe('memory');
  });

  it.each([
    [['--nope'], 'invalid command line'],
    [['--port', 'abc'], '--port'],
    [['--config', '/nonexistent/file.json'], 'cannot read config file'],
  ])('refuses %j with a clear message', (argv, message) => {
    expect(() => loadConfig({ argv })).toThrow(HostConfigError);
    expect(() => loadConfig({ argv })).toThrow(message);
  });

  it('refuses a short token, naming the field and where it came from, never the value', () => {
    const message = problems(() => loadConfig({ env: { WORKER_RUNTIME_TOKEN: 'short-secret' } }));
    expect(message).toContain('token (from WORKER_RUNTIME_TOKEN): ');
    expect(message).not.toContain('short-secret');
  });

  it('names the flag a bad value came from', () => {
    expect(problems(() => loadConfig({ argv: ['--log-level', 'verbose'] }))).toMatch(/log\.level \(from --log-level\): Invalid option: expected one of .*"debug"/);
    expect(problems(() => loadConfig({ argv: ['--log-format', 'xml'] }))).toContain('log.format (from --log-format)');
    expect(problems(() => loadConfig({ env: { WORKER_RUNTIME_PORT: '99999' } }))).toContain('WORKER_RUNTIME_PORT: not a port number');
  });

  it('takes the memory budget from the file, WORKER_RUNTIME_MEMORY_BUDGET or --memory-budget (bytes or KiB/MiB/GiB)', () => {
    expect(loadConfig({}).bus).toMatchObject({ kind: 'memory', budgetBytes: expect.any(Number) });
    const file = writeConfig({ bus: { retentionPerWorker: 500, budgetBytes: 1_000_000 } });
    expect(loadConfig({ argv: ['--config', file] }).bus).toMatchObject({ kind: 'memory', retentionPerWorker: 500, budgetBytes: 1_000_000 });
    expect(loadConfig({ argv: ['--config', file], env: { WORKER_RUNTIME_MEMORY_BUDGET: '64MiB' } }).bus).toMatchObject({ retentionPerWorker: 500, budgetBytes: 64 * 2 ** 20 });
    const both = loadConfig({ argv: ['--memory-budget', '2g'], env: { WORKER_RUNTIME_MEMORY_BUDGET: '64MiB' } });
    expect(both.bus).toMatchObject({ budgetBytes: 2 * 2 ** 30 });
    expect(loadConfig({ argv: ['--memory-budget', '65536'] }).bus).toMatchObject({ budgetBytes: 65536 });
    expect(problems(() => loadConfig({ argv: ['--memory-budget', 'lots'] }))).toContain('--memory-budget: not a byte size');
    expect(problems(() => loadConfig({ env: { WORKER_RUNTIME_MEMORY_BUDGET: '12' } }))).toContain('bus.budgetBytes (from WORKER_RUNTIME_MEMORY_BUDGET)');
    const redis = writeConfig({ bus: { kind: 'redis' } });
    expect(problems(() => loadConfig({ argv: ['--config', redis, '--memory-budget', '1GiB'] }))).toContain('--memory-budget: the memory budget is for the in-memory bus');
  });

  it('checks every profile at start: known backend, options that parse, by field and without values', () => {
    const file = writeConfig({
      profiles: {
        agent: { backend: 'acp' },
        typo: { backend: 'acp', options: { command: 'gemini', envAllowlist: ['SECRET_VALUE_XYZ'] } },
        bridge: { backend: 'workerBridge', options: { args: [] } },
        fake: { backend: 'fake', options: { spawn: 'explode' } },
        mine: { backend: 'mine' },
        ok: { backend: 'fake' },
        none: { backend: null },
      },
    });
    const message = problems(() => loadConfig({ argv: ['--config', file] }));
    expect(message).toContain('profiles.agent.options: ');
    expect(message).toContain('profiles.typo.options: Unrecognized key: "envAllowlist"');
    expect(message).toMatch(/profiles\.bridge\.options: none of the accepted shapes fits: .*command.* \| or \| .*socketPath/);
    expect(message).toContain('profiles.fake.options.spawn: ');
    expect(message).toContain('profiles.mine.backend: no backend "mine" is bound');
    expect(message).not.toMatch(/profiles\.(ok|none)/);
    expect(message).not.toContain('SECRET_VALUE_XYZ');
  });

  it('a backend id declared by the caller is accepted, and its own options schema applies', async () => {
    const { z } = await import('zod');
    const { ContainerModule } = await import('inversify');
    const mine = { backendId: 'mine', module: new ContainerModule(() => undefined), profileOptions: z.strictObject({ level: z.number() }) };
    const file = writeConfig({ profiles: { a: { backend: 'mine', options: { level: 3 } } } });
    expect(loadConfig({ argv: ['--config', file], backends: [mine] }).profiles.a).toMatchObject({ backend: 'mine' });
    const bad = writeConfig({ profiles: { a: { backend: 'mine', options: { level: 'high' } } } });
    expect(problems(() => loadConfig({ argv: ['--config', bad], backends: [mine] }))).toContain('profiles.a.options.level: ');
  });

  it('agents found on PATH become profiles only when the configuration names none', () => {
    const agents = KNOWN_AGENTS.filter((a) => a.command === 'gemini' || a.command === 'opencode');
    const detected = loadConfig({ agents });
    expect(Object.keys(detected.profiles)).toEqual(['gemini', 'opencode']);
    expect(detected.profiles.gemini).toMatchObject({ backend: 'acp', options: { command: 'gemini', args: ['--experimental-acp'] } });
    expect(detected.runtime.deadlines.spawnMs).toBe(60_000);
    const file = writeConfig({ profiles: { scripted: { backend: 'fake' } }, runtime: { deadlines: { spawnMs: 1000 } } });
    const configured = loadConfig({ argv: ['--config', file], agents });
    expect(Object.keys(configured.profiles)).toEqual(['scripted']);
    expect(configured.runtime.deadlines.spawnMs).toBe(1000);
  });
});

describe('detectAgents', () => {
  it('finds each known agent by an executable file on PATH, one profile per agent, running nothing', () => {
    const files = new Set(['/opt/a/gemini', '/opt/b/claude-code-acp', '/opt/b/claude-agent-acp', '/opt/c/codex-acp']);
    const found = detectAgents(['/opt/a', '', '/opt/b', '/opt/c'].join(':'), (file) => files.has(file));
    expect(found.map((a) => [a.profile, a.command])).toEqual([
      ['gemini', 'gemini'],
      ['claude', 'claude-agent-acp'],
      ['codex', 'codex-acp'],
    ]);
    expect(detectAgents(undefined)).toEqual([]);
  });

  it('any PATH value: never throws, finds only what the check admits', () => {
    fc.assert(
      fc.property(fc.string(), (path) => {
        const found = detectAgents(path, () => false);
        return Array.isArray(found) && found.length === 0;
      }),
    );
  });
});
