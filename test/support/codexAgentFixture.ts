import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AcpProfileOptionsInput } from '../../src/adapters/acp/acpOptions.js';

/**
 * The REAL Codex ACP agent (`@zed-industries/codex-acp`, a pinned devDependency; `codex-acp` is its
 * npm launcher, which runs the platform binary as its child) pointed at the MOCK model server: no
 * account, no key, no network beyond 127.0.0.1.
 */
export const CODEX_ACP = createRequire(import.meta.url).resolve('@zed-industries/codex-acp/bin/codex-acp.js');

/**
 * A fresh `CODEX_HOME` whose `config.toml` selects a custom provider at `origin` (Responses API).
 * Codex keeps its sessions and logs there too, so every test gets its own.
 */
export function codexHome(origin: string): string {
  const home = mkdtempSync(join(tmpdir(), 'wr-codex-home-'));
  const config = [
    'model = "gpt-5.1-codex"',
    'model_provider = "mock"',
    // Codex's Linux sandbox needs bubblewrap, which the tests' machine does not have: commands run unsandboxed.
    'sandbox_mode = "danger-full-access"',
    '',
    '[model_providers.mock]',
    'name = "Mock model server (tests)"',
    `base_url = "${origin}/v1"`,
    'wire_api = "responses"',
    '',
  ].join('\n');
  writeFileSync(join(home, 'config.toml'), config);
  return home;
}

/**
 * Profile options for codex-acp. Its home travels as the host variable `CODEX_HOME` (allow-listed by
 * name, as a real profile would): call `useCodexHome` first.
 */
export function codexOptions(overrides: Partial<AcpProfileOptionsInput> = {}): AcpProfileOptionsInput {
  return {
    command: process.execPath,
    args: [CODEX_ACP],
    envAllowList: ['CODEX_HOME'],
    ...overrides,
    timeouts: { initializeMs: 20_000, sessionNewMs: 20_000, cancelWatchdogMs: 5_000, stopGraceMs: 2_000, ...overrides.timeouts },
  };
}

/** Points this test process's `CODEX_HOME` (read by the agents it starts) at a fresh home for `origin`. */
export function useCodexHome(origin: string): string {
  const home = codexHome(origin);
  process.env.CODEX_HOME = home;
  return home;
}
