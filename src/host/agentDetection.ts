import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** An ACP agent the host knows how to run, and what it needs from the environment (names only). */
export interface KnownAgent {
  /** The profile name it gets. */
  readonly profile: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly displayName: string;
  /** Host environment variables passed to it (values are never read by the host). */
  readonly envAllowList: readonly string[];
  /** What the operator must provide, in words. */
  readonly needs: string;
}

export type DetectedAgent = KnownAgent;

const GOOGLE = ['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_CLOUD_PROJECT', 'GOOGLE_CLOUD_LOCATION', 'GOOGLE_GENAI_USE_VERTEXAI', 'GOOGLE_APPLICATION_CREDENTIALS'];
const XDG = ['XDG_CONFIG_HOME', 'XDG_DATA_HOME', 'XDG_CACHE_HOME'];

/** In order of preference; the first command found for a profile name wins. */
export const KNOWN_AGENTS: readonly KnownAgent[] = [
  {
    profile: 'gemini',
    command: 'gemini',
    args: ['--experimental-acp'],
    displayName: 'Gemini CLI (ACP agent, detected on PATH)',
    envAllowList: ['HOME', ...GOOGLE],
    needs: 'a Gemini CLI login (run `gemini` once) or GEMINI_API_KEY',
  },
  ...['claude-agent-acp', 'claude-code-acp'].map((command) => ({
    profile: 'claude',
    command,
    args: [],
    displayName: 'Claude Code (ACP adapter, detected on PATH)',
    envAllowList: ['HOME', 'ANTHROPIC_API_KEY', 'CLAUDE_CONFIG_DIR'],
    needs: 'a Claude Code login (run `claude` once) or ANTHROPIC_API_KEY',
  })),
  {
    profile: 'codex',
    command: 'codex-acp',
    args: [],
    displayName: 'Codex (ACP adapter, detected on PATH)',
    envAllowList: ['HOME', 'OPENAI_API_KEY', 'CODEX_API_KEY', 'CODEX_HOME'],
    needs: 'a Codex login (`codex login`) or OPENAI_API_KEY',
  },
  {
    profile: 'opencode',
    command: 'opencode',
    args: ['acp'],
    displayName: 'opencode (ACP agent, detected on PATH)',
    envAllowList: ['HOME', ...XDG, 'OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY'],
    needs: 'a provider set up in opencode (`opencode auth login`)',
  },
];

/** The commands a newcomer can install to get a real agent, for hints. */
export const KNOWN_AGENT_COMMANDS: readonly string[] = [...new Set(KNOWN_AGENTS.map((a) => a.command))];

/**
 * The known agents whose command is an executable file in a `PATH` directory (one per profile name).
 * Looks at file names and modes only: runs nothing, reads no environment value but `PATH`.
 */
export function detectAgents(path: string | undefined, isExecutable: (file: string) => boolean = executableFile): DetectedAgent[] {
  const dirs = (path ?? '').split(delimiter).filter((dir) => dir.length > 0);
  const found = new Map<string, DetectedAgent>();
  for (const agent of KNOWN_AGENTS) {
    if (found.has(agent.profile)) continue;
    if (dirs.some((dir) => isExecutable(join(dir, agent.command)))) found.set(agent.profile, agent);
  }
  return [...found.values()];
}

/**
 * Configuration fragments for the agents found: one `acp` profile each, and (unless configured) a spawn
 * deadline long enough for an agent's first start.
 */
export function detectedProfiles(agents: readonly DetectedAgent[], runtime: unknown): { profiles: Record<string, unknown>; runtime: unknown } {
  const profiles = Object.fromEntries(
    agents.map((agent) => [
      agent.profile,
      {
        backend: 'acp',
        displayName: agent.displayName,
        options: { command: agent.command, args: [...agent.args], envAllowList: [...agent.envAllowList], timeouts: { initializeMs: 45_000 } },
      },
    ]),
  );
  const given = (runtime ?? {}) as { deadlines?: Record<string, unknown> };
  const deadlines = { spawnMs: 60_000, ...given.deadlines };
  return { profiles, runtime: { ...given, deadlines } };
}

function executableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
