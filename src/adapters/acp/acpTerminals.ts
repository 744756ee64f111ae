import { isAbsolute, relative } from 'node:path';
import {
  RequestError,
  type CreateTerminalRequest,
  type CreateTerminalResponse,
  type TerminalOutputResponse,
  type WaitForTerminalExitResponse,
} from '@agentclientprotocol/sdk';
import { childEnvironment, ENV_NAME } from '../process/childEnvironment.js';
import { SupervisedProcess, type ProcessExit } from '../process/supervisedProcess.js';
import { TerminalOutput } from './terminalOutput.js';

const MAX_TERMINALS = 16;
const MAX_OUTPUT_BYTES = 1024 * 1024;

interface Terminal {
  readonly process: SupervisedProcess;
  readonly output: TerminalOutput;
}

/**
 * The client `terminal/*` capability, offered only when a profile asks for it. Each command runs as a
 * supervised process (own group, TERM then KILL) under the working directory, with `PATH`, the
 * profile's allow-listed variables and the variables the agent set; its merged output is bounded.
 * Every terminal is killed when the session ends.
 */
export class AcpTerminals {
  private readonly terminals = new Map<string, Terminal>();
  private serial = 0;

  constructor(
    private readonly root: string,
    private readonly envAllowList: readonly string[],
    private readonly graceMs: number,
  ) {}

  /** `terminal/create`: starts the command (refused outside the working directory or past 16 terminals). */
  async create(params: CreateTerminalRequest): Promise<CreateTerminalResponse> {
    if (this.terminals.size >= MAX_TERMINALS) throw RequestError.invalidRequest(undefined, 'too many terminals');
    const cwd = params.cwd ?? this.root;
    const inside = relative(this.root, cwd);
    if (!isAbsolute(cwd) || inside.startsWith('..') || isAbsolute(inside)) throw RequestError.invalidParams(undefined, 'cwd is outside the working directory');
    const env = childEnvironment(this.envAllowList);
    for (const { name, value } of params.env ?? []) if (ENV_NAME.test(name)) env[name] = value;
    const output = new TerminalOutput(Math.min(params.outputByteLimit ?? MAX_OUTPUT_BYTES, MAX_OUTPUT_BYTES));
    const started = await SupervisedProcess.start({ command: params.command, args: params.args ?? [], cwd, env, stderrTailBytes: 0, onStderr: (c) => output.push(c) });
    if (!started.ok) throw RequestError.invalidParams(undefined, `command could not be started (${started.reason})`);
    started.process.stdin.end();
    started.process.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    const terminalId = `terminal-${++this.serial}`;
    this.terminals.set(terminalId, { process: started.process, output });
    return { terminalId };
  }

  /** `terminal/output`: the bounded output so far, and the exit status once it exited. */
  output(terminalId: string): TerminalOutputResponse {
    const terminal = this.get(terminalId);
    const exit = terminal.process.exit;
    return { output: terminal.output.text(), truncated: terminal.output.truncated, ...(exit && { exitStatus: exitStatus(exit) }) };
  }

  /** `terminal/wait_for_exit`. */
  async waitForExit(terminalId: string): Promise<WaitForTerminalExitResponse> {
    return exitStatus(await this.get(terminalId).process.exited);
  }

  /** `terminal/kill`: kills the command's process group; the terminal stays readable. */
  kill(terminalId: string): Record<string, never> {
    this.get(terminalId).process.kill();
    return {};
  }

  /** `terminal/release`: kills the command if it still runs and forgets the terminal. */
  release(terminalId: string): Record<string, never> {
    this.get(terminalId).process.kill();
    this.terminals.delete(terminalId);
    return {};
  }

  /** Ends every terminal (session end). */
  async closeAll(): Promise<void> {
    const all = [...this.terminals.values()];
    this.terminals.clear();
    await Promise.all(all.map((t) => t.process.stop(this.graceMs)));
  }

  private get(terminalId: string): Terminal {
    const terminal = this.terminals.get(terminalId);
    if (!terminal) throw RequestError.resourceNotFound(terminalId);
    return terminal;
  }
}

function exitStatus(exit: ProcessExit): WaitForTerminalExitResponse {
  return { exitCode: exit.code, signal: exit.signal };
}
