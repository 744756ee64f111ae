import { z } from 'zod';
import type { RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { DecidedBy } from '../../domain/decision.js';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';

/** `session/request_permission` params, loosely (a newer agent may add fields or tool kinds). */
export const PermissionRequestSchema = z.looseObject({
  sessionId: z.string(),
  toolCall: z.looseObject({ toolCallId: z.string(), title: z.string().nullish(), kind: z.string().nullish() }),
  options: z.array(z.looseObject({ optionId: z.string(), name: z.string(), kind: z.string() })).max(64),
});
export type PermissionRequest = z.infer<typeof PermissionRequestSchema>;
/** The parts of a profile's `permissions` that decide without a person. */
export interface PermissionPolicy {
  readonly policy: 'reject' | 'allow_once' | 'allow_always' | 'ask';
  readonly allowToolKinds: readonly string[];
}

type Option = PermissionRequest['options'][number];
/** A rule that answers without a person. */
export type PermissionRule = 'reject' | 'allow_once' | 'allow_always' | 'allowed_kind' | 'cancelled';

export interface PermissionDecision {
  readonly response: RequestPermissionResponse;
  readonly option: Option | null;
  /** The rule that decided: `reject`, `allow_once`, `allow_always`, `allowed_kind` or `cancelled`. */
  readonly rule: PermissionRule;
}

const REJECT = ['reject_once', 'reject_always'];
const PREFERENCE: Readonly<Record<PermissionRule, readonly string[]>> = {
  reject: REJECT,
  allowed_kind: ['allow_once', ...REJECT],
  allow_once: ['allow_once', ...REJECT],
  allow_always: ['allow_always', 'allow_once', ...REJECT],
  cancelled: [],
};

/**
 * Answers a permission request by policy, or null when the policy (`ask`) leaves it to a person. A turn
 * being cancelled answers `cancelled`, as ACP requires; `allowToolKinds` answers listed tool kinds
 * `allow_once` at once under `reject` and `ask`.
 */
export function decidePermission(request: PermissionRequest, policy: PermissionPolicy, turnCancelled: boolean): PermissionDecision | null {
  if (turnCancelled) return answerByRule(request, 'cancelled');
  const kind = request.toolCall.kind ?? '';
  if ((policy.policy === 'reject' || policy.policy === 'ask') && policy.allowToolKinds.includes(kind)) return answerByRule(request, 'allowed_kind');
  return policy.policy === 'ask' ? null : answerByRule(request, policy.policy);
}

/** The first offered option of the rule's preferred kinds, else `cancelled`. */
export function answerByRule(request: PermissionRequest, rule: PermissionRule): PermissionDecision {
  for (const preferred of PREFERENCE[rule]) {
    const option = request.options.find((o) => o.kind === preferred);
    if (option) return { response: selected(option), option, rule };
  }
  return { response: { outcome: { outcome: 'cancelled' } }, option: null, rule };
}

export function selected(option: Option): RequestPermissionResponse {
  return { outcome: { outcome: 'selected', optionId: option.optionId } };
}

const text = (value: string | null | undefined): string | undefined => (value == null ? undefined : value.slice(0, 1024));

/** `permission_request`: what the agent asked (its own tool call id, title and options; nothing else), and the Runtime's decision id when a person is asked. */
export function permissionRequestEvent(request: PermissionRequest, decisionId: string | null = null): ProtocolEvent {
  const call = request.toolCall;
  return {
    event: 'permission_request',
    data: {
      id: call.toolCallId.slice(0, 256),
      ...(decisionId !== null && { decision_id: decisionId }),
      ...(call.title != null && { title: text(call.title) }),
      ...(call.kind != null && { kind: text(call.kind) }),
      options: request.options.slice(0, 16).map((o) => ({ id: o.optionId.slice(0, 256), name: text(o.name), kind: o.kind.slice(0, 64) })),
    },
  };
}

export interface Resolution {
  readonly response: RequestPermissionResponse;
  readonly option: Option | null;
  readonly decidedBy: DecidedBy;
  /** The policy rule, when a rule decided (a policy, a timeout's fallback, a cancel). */
  readonly rule?: string;
  readonly decisionId?: string | null;
}

/** `permission_resolved`: how it was answered and who decided (`person`, `policy`, `timeout` with reason `decision_timeout`, `cancelled`). */
export function permissionResolvedEvent(request: PermissionRequest, resolution: Resolution): ProtocolEvent {
  const call = request.toolCall;
  const option = resolution.option;
  return {
    event: 'permission_resolved',
    data: {
      id: call.toolCallId.slice(0, 256),
      ...(resolution.decisionId != null && { decision_id: resolution.decisionId }),
      ...(call.title != null && { title: text(call.title) }),
      outcome: resolution.response.outcome.outcome,
      decided_by: resolution.decidedBy,
      ...(resolution.rule !== undefined && { rule: resolution.rule }),
      ...(resolution.decidedBy === 'timeout' && { reason: 'decision_timeout' }),
      ...(option && { option_id: option.optionId.slice(0, 256), option_kind: option.kind.slice(0, 64), option_name: text(option.name) }),
    },
  };
}
