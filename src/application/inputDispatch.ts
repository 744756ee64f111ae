import { operationResult, type OperationResult } from '../domain/executionResult.js';
import { WorkerInputSchema } from '../domain/workerInput.js';
import { parseDispatchAnswer } from './backendAnswers.js';
import { backendText, thrownMessage } from './backendOutcome.js';
import { withDeadline } from './deadline.js';
import { notFound, parseArgument } from './operationResults.js';
import type { RuntimeCore } from './runtimeCore.js';

/** The input use case: one committed input per idle Worker at a time (single flight). */
export class InputDispatch {
  constructor(private readonly core: RuntimeCore) {}

  async submitInput(workerId: string, input: unknown): Promise<OperationResult> {
    const { core } = this;
    const record = core.workers.get(workerId);
    const parsed = parseArgument(WorkerInputSchema, input, 'input', record?.state ?? null);
    if (!parsed.ok) return parsed.result;
    if (!record) return notFound('input');
    const refusal = core.refuseUnlessConnected('input', record);
    if (refusal) return refusal;
    if (record.inFlight || record.runState !== 'idle') return operationResult('input', 'run_in_flight', record.state);
    record.inFlight = true;
    const submissionId = core.ports.ids.submissionId();
    const versionBefore = record.runStateVersion;
    const backend = record.backend!;
    try {
      const settled = await withDeadline(
        core.ports.clock,
        core.options.deadlines.dispatchMs,
        (signal) => backend.dispatchInput(record.handle, parsed.data, submissionId, signal),
        undefined,
        record.dispatchControl(),
      );
      if (settled.kind === 'timeout') return operationResult('input', 'dispatch_timeout', record.state);
      if (settled.kind === 'threw') return operationResult('input', 'backend_error', record.state, { message: thrownMessage(settled.error) });
      const answer = parseDispatchAnswer(settled.value);
      if (!answer.ok) return operationResult('input', 'backend_protocol_error', record.state, { message: answer.message });
      const value = answer.value;
      switch (value.status) {
        case 'accepted':
          if (value.submissionId !== submissionId) {
            return operationResult('input', 'commit_ack_mismatch', record.state, {
              message: 'the backend did not acknowledge this submission',
            });
          }
          if (record.runStateVersion === versionBefore) core.setRunState(record, value.state ?? 'busy');
          return operationResult('input', 'committed', record.state, { submissionId });
        case 'busy': {
          const message = backendText(value.message, 256);
          return operationResult('input', 'backend_busy', record.state, message ? { message } : {});
        }
        case 'rejected':
          return operationResult('input', 'backend_rejected', record.state, { diagnostic: value.diagnostic, message: value.diagnostic.message });
      }
    } finally {
      record.inFlight = false;
    }
  }
}
