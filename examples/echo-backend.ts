/**
 * A minimal execution backend, as a starting point for your own. It "runs" a Worker by echoing each
 * input back (it is not a model). An input containing `#hold` keeps its run going until it is
 * cancelled or stopped. Its conformance test is examples/echo-backend.test.ts.
 */
import { ContainerModule } from 'inversify';
import { z } from 'zod';
import {
  ExecutionBackendPort,
  type ControlResult,
  type DispatchResult,
  type ExecutionContext,
  type SpawnRequest,
  type SpawnResult,
  type WorkerInput,
} from 'worker-runtime';

/** A profile's options for this backend (`profiles.<name>.options`); the host checks them at start. */
export const EchoProfileOptionsSchema = z.strictObject({ prefix: z.string().max(64).default('echo: ') }).prefault({});

interface Execution {
  readonly context: ExecutionContext;
  readonly prefix: string;
  running: boolean;
}

export class EchoBackend implements ExecutionBackendPort {
  readonly backendId = 'echo';
  private readonly executions = new Map<string, Execution>();

  async spawn(request: SpawnRequest, context: ExecutionContext): Promise<SpawnResult> {
    const options = EchoProfileOptionsSchema.safeParse(request.profileOptions);
    if (!options.success) return { status: 'rejected', diagnostic: { code: 'echo_options_invalid', severity: 'error', message: 'invalid echo profile options' } };
    const handle = context.worker.workerId;
    this.executions.set(handle, { context, prefix: options.data.prefix, running: false });
    return { status: 'ready', handle };
  }

  async dispatchInput(handle: unknown, input: WorkerInput, submissionId: string): Promise<DispatchResult> {
    const execution = this.executions.get(handle as string);
    if (!execution) return { status: 'rejected', diagnostic: { code: 'echo_execution_gone', severity: 'error', message: 'the execution is gone' } };
    if (execution.running) return { status: 'busy' };
    execution.running = true;
    setImmediate(() => void this.play(execution, input)); // the run's events follow the commit
    return { status: 'accepted', submissionId, state: 'busy' }; // acknowledge the exact submission id
  }

  async cancel(handle: unknown): Promise<ControlResult> {
    const execution = this.executions.get(handle as string);
    if (execution?.running) await this.end(execution, 'finished');
    return { status: 'done' };
  }

  async stop(handle: unknown): Promise<ControlResult> {
    this.executions.delete(handle as string); // nothing of it is left running
    return { status: 'done' };
  }

  /** The events of one run: the committed input once, the output, then run_end (docs/protocol.md). */
  private async play(execution: Execution, input: WorkerInput): Promise<void> {
    const segments = input.kind === 'user' ? input.segments : [{ kind: 'text' as const, content: input.message }];
    const text = segments.map((s) => ('content' in s ? String(s.content) : '')).join(' ');
    const reply = `${execution.prefix}${text}`;
    const { context } = execution;
    await context.publish({ event: 'invoke_start', data: { kind: input.kind === 'user' ? 'user_send' : 'notify' } });
    await context.publish({ event: 'user_message', data: { segments } });
    await context.publish({ event: 'text_delta', data: { text: reply } });
    await context.publish({ event: 'text_done', data: { text: reply } });
    if (!text.includes('#hold')) await this.end(execution, 'finished');
  }

  private async end(execution: Execution, result: string): Promise<void> {
    execution.running = false;
    await execution.context.publish({ event: 'run_end', data: { result } });
    await execution.context.publish({ event: 'status', data: { status: 'idle' } });
  }
}

/** Binds one EchoBackend: pass it to createRuntimeContainer({ backends }) or createHost(config, { backends }). */
export function echoBackendModule(): ContainerModule {
  return new ContainerModule(({ bind }) => void bind(ExecutionBackendPort).toConstantValue(new EchoBackend()));
}
