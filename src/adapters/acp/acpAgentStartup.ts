import { methods, PROTOCOL_VERSION, type InitializeRequest, type NewSessionRequest } from '@agentclientprotocol/sdk';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import { childEnvironment } from '../process/childEnvironment.js';
import { SupervisedProcess } from '../process/supervisedProcess.js';
import { AcpAgentSession } from './acpAgentSession.js';
import { AcpDiagnosticCode, AUTH_REQUIRED, authRequired, describeExit, rpcErrorCode, spawnFailure } from './acpDiagnostics.js';
import { AcpProfileOptionsSchema, describeOptionsError } from './acpOptions.js';
import type { ProcessLog } from '../process/processLog.js';
import { within, type Within } from '../process/within.js';

export type StartOutcome =
  | { readonly status: 'ready'; readonly session: AcpAgentSession }
  | { readonly status: 'rejected'; readonly diagnostic: Diagnostic }
  | { readonly status: 'unsupported' };

type Step = 'initialize' | 'session/new' | 'session/load';

const CLIENT_INFO = { name: 'worker-runtime', version: '0.1.0' };

/**
 * Starts one Worker's agent: parse the profile options, spawn the agent (PATH plus allow-listed
 * variables only), `initialize` (recording its capabilities), then `session/new`, or `session/load`
 * of `loadSessionId` when restoring (`unsupported` unless the agent declared `loadSession`; the replay
 * is published as history). Any failure stops the agent and answers a diagnostic, never a reply.
 */
export async function startAgent(
  rawOptions: unknown,
  context: ExecutionContext,
  signal: AbortSignal,
  loadSessionId: string | null,
  log: ProcessLog,
): Promise<StartOutcome> {
  const parsed = AcpProfileOptionsSchema.safeParse(rawOptions ?? {});
  if (!parsed.success) return rejected(diagnostic(AcpDiagnosticCode.optionsInvalid, describeOptionsError(parsed.error)));
  const options = parsed.data;
  const started = await SupervisedProcess.start({
    command: options.command,
    args: options.args,
    cwd: options.cwd,
    env: childEnvironment(options.envAllowList),
    stderrTailBytes: options.limits.stderrTailBytes,
  });
  if (!started.ok) return rejected(spawnFailure(started.reason));
  const session = new AcpAgentSession(options, context, started.process, log);
  const outcome = await handshake(session, signal, loadSessionId);
  if (outcome.status !== 'ready' || signal.aborted || session.ended) {
    await session.stop(signal);
    const failed = outcome.status === 'ready' ? rejected(diagnostic(AcpDiagnosticCode.initializeFailed, 'the agent stopped while starting')) : outcome;
    if (failed.status === 'rejected') await session.logEnd(failed.diagnostic);
    return failed;
  }
  session.markLive();
  return outcome;
}

async function handshake(session: AcpAgentSession, signal: AbortSignal, loadSessionId: string | null): Promise<StartOutcome> {
  const { options, connection } = session;
  const fs = options.clientCapabilities.fs;
  const params: InitializeRequest = {
    protocolVersion: PROTOCOL_VERSION,
    clientCapabilities: { fs: { readTextFile: fs, writeTextFile: fs }, terminal: options.clientCapabilities.terminal },
    clientInfo: CLIENT_INFO,
  };
  const initialize = connection.agent.request(methods.agent.initialize, params);
  const init = await within(initialize, options.timeouts.initializeMs, signal);
  if (init.kind !== 'ok') return rejected(await failure(session, 'initialize', init, options.timeouts.initializeMs));
  if (init.value.protocolVersion !== PROTOCOL_VERSION) {
    return rejected(diagnostic(AcpDiagnosticCode.initializeFailed, `the agent speaks ACP version ${String(init.value.protocolVersion).slice(0, 16)}, not ${PROTOCOL_VERSION}`));
  }
  const capabilities = init.value.agentCapabilities;
  session.agent = { loadSession: capabilities?.loadSession === true, closeSession: capabilities?.sessionCapabilities?.close != null };
  const base: NewSessionRequest = { cwd: options.cwd, mcpServers: [] };
  if (loadSessionId !== null) {
    if (!session.agent.loadSession) return { status: 'unsupported' };
    session.open(loadSessionId);
    session.events.beginReplay();
    const loading = connection.agent.request(methods.agent.session.load, { ...base, sessionId: loadSessionId });
    const load = await within(loading, options.timeouts.sessionNewMs, signal);
    if (load.kind !== 'ok') return rejected(await failure(session, 'session/load', load, options.timeouts.sessionNewMs));
    await session.events.endReplay();
    return { status: 'ready', session };
  }
  const creating = connection.agent.request(methods.agent.session.new, base);
  const created = await within(creating, options.timeouts.sessionNewMs, signal);
  if (created.kind !== 'ok') return rejected(await failure(session, 'session/new', created, options.timeouts.sessionNewMs));
  if (typeof created.value?.sessionId !== 'string' || created.value.sessionId === '') {
    return rejected(diagnostic(AcpDiagnosticCode.sessionFailed, 'the agent answered session/new without a session'));
  }
  session.open(created.value.sessionId);
  return { status: 'ready', session };
}

/** The diagnostic for a failed handshake step: auth, an agent error, a timeout, or the agent's end. */
async function failure(session: AcpAgentSession, step: Step, outcome: Exclude<Within<unknown>, { kind: 'ok' }>, ms: number): Promise<Diagnostic> {
  const code = step === 'initialize' ? AcpDiagnosticCode.initializeFailed : AcpDiagnosticCode.sessionFailed;
  switch (outcome.kind) {
    case 'timeout':
      return diagnostic(code, `the agent did not answer ${step} within ${ms} ms`);
    case 'aborted':
      return diagnostic(code, `the start was abandoned during ${step} (deadline)`);
  }
  const rpc = rpcErrorCode(outcome.error);
  if (rpc === AUTH_REQUIRED) return authRequired();
  if (rpc !== null) return diagnostic(code, `the agent refused ${step} (JSON-RPC ${rpc})`);
  await within(session.process.exited, 500);
  const lost = session.lossDiagnostic;
  if (lost && lost.code !== AcpDiagnosticCode.exited) return diagnostic(code, `${step} failed: ${lost.message}`);
  return diagnostic(code, `the agent ended during ${step} (${describeExit(session.process.exit)})`);
}

function rejected(why: Diagnostic): StartOutcome {
  return { status: 'rejected', diagnostic: why };
}
