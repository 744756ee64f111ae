import type { RequestPermissionResponse } from '@agentclientprotocol/sdk';
import { diagnostic, type Diagnostic } from '../../domain/diagnostic.js';
import type { DecisionAnswer } from '../../domain/decision.js';
import type { ControlResult } from '../../ports/executionBackendPort.js';
import type { ExecutionContext } from '../../ports/executionContext.js';
import { within } from '../process/within.js';
import type { AcpProfileOptions } from './acpOptions.js';
import {
  answerByRule,
  decidePermission,
  permissionRequestEvent,
  permissionResolvedEvent,
  selected,
  type PermissionRequest,
  type Resolution,
} from './acpPermissions.js';

/** What the desk needs of its session. */
export interface DeskHost {
  readonly context: ExecutionContext;
  readonly permissions: AcpProfileOptions['permissions'];
  /** Queues events behind everything the session queued so far (arrival order). */
  publishLater(events: ReturnType<typeof permissionRequestEvent>[]): void;
  /** Resolves true once our response to the agent's request `rpcId` reached its stdin. */
  whenAnswered(rpcId: unknown): Promise<boolean>;
  /** The current turn is being cancelled: ACP wants every question answered `cancelled`. */
  readonly turnCancelled: boolean;
}

/** How long an answer may take to reach the agent's stdin before the agent counts as not reading it. */
const WRITE_MS = 5_000;
const CANCELLED: RequestPermissionResponse = { outcome: { outcome: 'cancelled' } };

/** One `session/request_permission` from its arrival to its answer. */
interface Ticket {
  readonly request: PermissionRequest;
  readonly rpcId: unknown;
  readonly answer: Promise<RequestPermissionResponse>;
  readonly resolve: (response: RequestPermissionResponse) => void;
}

/**
 * A session's permission questions. Each request is seen in arrival order (from the wire's tap, so
 * its `permission_request` event keeps its place among the updates) and answered once: at once by the
 * profile's policy, or, under `ask`, by a person through the Runtime (`ExecutionContext.ask`, then the
 * backend's `decide`), by the question's deadline (the `askFallback` policy, `decision_timeout`), or
 * `cancelled` by a cancel, a stop or the agent's loss. The SDK's request handler only waits for it.
 */
export class AcpPermissionDesk {
  /** Tickets the SDK's handler has not taken yet, by tool call id (in arrival order). */
  private readonly arriving = new Map<string, Ticket[]>();
  /** Questions waiting for a person, by the Runtime's decision id. */
  private readonly open = new Map<string, Ticket>();

  constructor(private readonly host: DeskHost) {}

  /** A request arrived (called in arrival order, before the SDK sees it). */
  receive(request: PermissionRequest, rpcId: unknown): void {
    const ticket = newTicket(request, rpcId);
    const key = request.toolCall.toolCallId;
    this.arriving.set(key, [...(this.arriving.get(key) ?? []), ticket]);
    const { permissions } = this.host;
    const decided = decidePermission(request, permissions, this.host.turnCancelled);
    if (decided) return this.answerNow(ticket, { ...decided, decidedBy: decided.rule === 'cancelled' ? 'cancelled' : 'policy' });
    const asked = this.host.context.ask?.({
      title: request.toolCall.title ?? 'The agent asks for permission',
      toolKind: request.toolCall.kind ?? null,
      toolCallId: request.toolCall.toolCallId,
      options: request.options.slice(0, 16).map((o) => ({ id: o.optionId, name: o.name, kind: o.kind })),
      timeoutMs: permissions.askTimeoutMs,
    });
    // No person can be asked (the Worker is not connected, too many questions, ...): the fallback answers.
    if (!asked?.ok) return this.answerNow(ticket, { ...answerByRule(request, permissions.askFallback), decidedBy: 'policy' });
    this.open.set(asked.decisionId, ticket);
    this.host.publishLater([permissionRequestEvent(request, asked.decisionId)]);
  }

  /** The SDK's handler for the request: the answer, once there is one. */
  respond(request: PermissionRequest): Promise<RequestPermissionResponse> {
    const key = request.toolCall.toolCallId;
    const queue = this.arriving.get(key);
    const ticket = queue?.shift();
    if (queue?.length === 0) this.arriving.delete(key);
    // Not seen by the tap (it cannot happen: both parse alike); answered by the policy's safe side.
    return ticket ? ticket.answer : Promise.resolve(answerByRule(request, 'reject').response);
  }

  /** Delivers the Runtime's answer: `done` once the agent's stdin took it; `rejected` for a question not open here. */
  async decide(answer: DecisionAnswer, signal: AbortSignal): Promise<ControlResult> {
    const ticket = this.open.get(answer.decisionId);
    if (!ticket) return rejected('acp_decision_unknown', 'no such open permission request');
    const { request } = ticket;
    let resolution: Resolution;
    if (answer.decidedBy === 'person') {
      const option = request.options.find((o) => o.optionId === answer.optionId);
      if (!option) return rejected('acp_option_unknown', 'the agent did not offer that option');
      resolution = { response: selected(option), option, decidedBy: 'person' };
    } else {
      resolution = { ...answerByRule(request, this.host.permissions.askFallback), decidedBy: 'timeout' };
    }
    this.open.delete(answer.decisionId);
    const written = this.host.whenAnswered(ticket.rpcId);
    this.answerNow(ticket, { ...resolution, decisionId: answer.decisionId });
    const ack = await within(written, WRITE_MS, signal);
    return ack.kind === 'ok' && ack.value ? { status: 'done' } : rejected('agent_not_reading', 'the answer did not reach the agent');
  }

  /** A cancel, a stop or the agent's end: every open question is answered `cancelled` (ACP requires it for a cancel). */
  cancelAll(): void {
    for (const [decisionId, ticket] of this.open) {
      this.host.context.closeDecision?.(decisionId, 'cancelled');
      this.answerNow(ticket, { response: CANCELLED, option: null, decidedBy: 'cancelled', rule: 'cancelled', decisionId });
    }
    this.open.clear();
  }

  private answerNow(ticket: Ticket, resolution: Resolution): void {
    const { request } = ticket;
    const events = resolution.decisionId ? [] : [permissionRequestEvent(request)];
    this.host.publishLater([...events, permissionResolvedEvent(request, resolution)]);
    ticket.resolve(resolution.response);
  }
}

function newTicket(request: PermissionRequest, rpcId: unknown): Ticket {
  let resolve!: (response: RequestPermissionResponse) => void;
  const answer = new Promise<RequestPermissionResponse>((r) => (resolve = r));
  return { request, rpcId, answer, resolve };
}

function rejected(code: string, message: string): { status: 'rejected'; diagnostic: Diagnostic } {
  return { status: 'rejected', diagnostic: diagnostic(code, message) };
}
