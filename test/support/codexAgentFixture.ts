import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

/** The Codex configuration docs/acp.md shows (a custom OpenAI-compatible provider). */
export const CODEX_DOC_CONFIG = 'examples/agents/codex-config.toml';

/**
 * The documented configuration pointed at `origin`: its provider's `base_url` replaced, its key
 * variable dropped (the mock needs none) and, because Codex's Linux sandbox needs bubblewrap, which
 * the tests' machine does not have, commands run unsandboxed. Throws if the document's shape changed.
 */
export function codexConfig(origin: string): string {
  const doc = readFileSync(CODEX_DOC_CONFIG, 'utf8');
  const provider = /^model_provider = "([\w-]+)"$/m.exec(doc)?.[1];
  if (!provider || !doc.includes(`[model_providers.${provider}]`) || !/^base_url = ".*"$/m.test(doc)) {
    throw new Error(`${CODEX_DOC_CONFIG} no longer names a model_providers entry with a base_url`);
  }
  const body = doc
    .replace(/^base_url = ".*"$/m, `base_url = "${origin}/v1"`)
    .replace(/^env_key = .*\n/m, '');
  return `sandbox_mode = "danger-full-access"\n${body}`;
}

/**
 * A fresh `CODEX_HOME` whose `config.toml` is the documented one at `origin` (Responses API).
 * Codex keeps its sessions and logs there too, so every test gets its own.
 */
export function codexHome(origin: string): string {
  const home = mkdtempSync(join(tmpdir(), 'wr-codex-home-'));
  writeFileSync(join(home, 'config.toml'), codexConfig(origin));
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
