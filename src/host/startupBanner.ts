import { KNOWN_AGENT_COMMANDS, type DetectedAgent } from './agentDetection.js';

export interface BannerInput {
  /** What the server listens on (`http://0.0.0.0:8787`). */
  readonly url: string;
  readonly token: string;
  readonly tokenGenerated: boolean;
  /** Each profile with its backend id (null: none) and whether that backend is bound. */
  readonly profiles: readonly { name: string; backend: string | null; displayName: string | null; available: boolean }[];
  /** Agents that became profiles, or `off` (--no-detect), or `configured` (the config names its profiles). */
  readonly detection: readonly DetectedAgent[] | 'off' | 'configured';
  /** A config file with the scripted fake, as a path the operator can type from here. */
  readonly fakeConfigPath: string;
}

const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The lines `npm start` prints once the host listens, and the warnings it prints to stderr. */
export function startupBanner(input: BannerInput): { lines: string[]; warnings: string[] } {
  const address = new URL(input.url);
  const hostname = address.hostname;
  const exposed = !isLoopback(hostname);
  const consoleBase = WILDCARD.has(hostname) ? `http://${hostname === '0.0.0.0' ? '127.0.0.1' : '[::1]'}:${address.port}` : input.url;
  const lines = [`worker-runtime host listening on ${input.url}${WILDCARD.has(hostname) ? ' (every network interface)' : ''}`];
  if (input.tokenGenerated) {
    lines.push(
      `console: ${consoleBase}/#token=${input.token}`,
      `API token (generated for this start, shown once): ${input.token}`,
      '  use it as "Authorization: Bearer <token>"; set WORKER_RUNTIME_TOKEN to choose your own',
    );
  } else {
    lines.push(`console: ${consoleBase}/ (sign in with the token you configured)`, 'API token: the one configured (Authorization: Bearer <token>)');
  }
  const width = Math.max(...input.profiles.map((p) => p.name.length));
  const detected = Array.isArray(input.detection) ? input.detection : [];
  lines.push('profiles:');
  for (const profile of input.profiles) {
    const agent = detected.find((a) => a.profile === profile.name);
    const what =
      profile.backend === null
        ? 'no backend: Workers are unavailable placeholders'
        : `${profile.backend}${profile.available ? '' : ' (not bound)'}${profile.displayName ? `: ${profile.displayName}` : ''}${agent ? `; needs ${agent.needs}` : ''}`;
    lines.push(`  ${profile.name.padEnd(width)}  ${what}`);
  }
  if (input.profiles.every((p) => p.backend === null)) lines.push(nextStep(input));
  const warnings = exposed
    ? [
        `warning: the API is exposed beyond this machine (listening on ${hostname}): anyone who can reach port ${address.port} can use it with the token. ` +
          'Use --host 127.0.0.1 to keep it local.',
      ]
    : [];
  return { lines, warnings };
}

function nextStep(input: BannerInput): string {
  const fake = `the scripted fake backend (a test double): --config ${input.fakeConfigPath}`;
  if (input.detection === 'off') return `next step: agent detection is off (--no-detect); configure a profile, or try ${fake}`;
  if (input.detection === 'configured') return `next step: give a profile a backend in your config, or try ${fake}`;
  return `next step: no ACP agent found on PATH (looked for ${KNOWN_AGENT_COMMANDS.join(', ')}); install one and start again, or try ${fake}`;
}

/** True for names and addresses that only this machine reaches. */
export function isLoopback(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}
