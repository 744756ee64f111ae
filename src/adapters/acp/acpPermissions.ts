import { z } from 'zod';
import type { RequestPermissionResponse } from '@agentclientprotocol/sdk';
import type { ProtocolEvent } from '../../domain/protocolEvent.js';
import type { AcpProfileOptions } from './acpOptions.js';

/** `session/request_permission` params, loosely (a newer agent may add fields or tool kinds). */
export const PermissionRequestSchema = z.looseObject({
  sessionId: z.string(),
  toolCall: z.looseObject({ toolCallId: z.string(), title: z.string().nullish(), kind: z.string().nullish() }),
  options: z.array(z.looseObject({ optionId: z.string(), name: z.string(), kind: z.string() })).max(64),
});
export type PermissionRequest = z.infer<typeof PermissionRequestSchema>;
export type PermissionPolicy = AcpProfileOptions['permissions'];

type Option = PermissionRequest['options'][number];

export interface PermissionDecision {
  readonly response: RequestPermissionResponse;
  readonly option: Option | null;
  /** The policy rule that decided: `reject`, `allow_once`, `allow_always`, `allowed_kind` or `cancelled`. */
  readonly rule: string;
}

const REJECT = ['reject_once', 'reject_always'];
const PREFERENCE: Readonly<Record<string, readonly string[]>> = {
  reject: REJECT,
  allowed_kind: ['allow_once', ...REJECT],
  allow_once: ['allow_once', ...REJECT],
  allow_always: ['allow_always', 'allow_once', ...REJECT],
};

/**
 * Answers a permission request by policy, without asking anyone: the first offered option of the
 * preferred kinds (reject by default), else `cancelled`. A turn being cancelled answers `cancelled`,
 * as ACP requires.
 */
export function decidePermission(request: PermissionRequest, policy: PermissionPolicy, turnCancelled: boolean): PermissionDecision {
  if (turnCancelled) return { response: { outcome: { outcome: 'cancelled' } }, option: null, rule: 'cancelled' };
  const kind = request.toolCall.kind ?? '';
  const rule = policy.policy === 'reject' && policy.allowToolKinds.includes(kind) ? 'allowed_kind' : policy.policy;
  for (const preferred of PREFERENCE[rule] ?? REJECT) {
    const option = request.options.find((o) => o.kind === preferred);
    if (option) return { response: { outcome: { outcome: 'selected', optionId: option.optionId } }, option, rule };
  }
  return { response: { outcome: { outcome: 'cancelled' } }, option: null, rule };
}

const text = (value: string | null | undefined): string | undefined => (value == null ? undefined : value.slice(0, 1024));

/** `permission_request`: what the agent asked (its own tool call id, title and options; nothing else). */
export function permissionRequestEvent(request: PermissionRequest): ProtocolEvent {
  const call = request.toolCall;
  return {
    event: 'permission_request',
    data: {
      id: call.toolCallId.slice(0, 256),
      ...(call.title != null && { title: text(call.title) }),
      ...(call.kind != null && { kind: text(call.kind) }),
      options: request.options.slice(0, 16).map((o) => ({ id: o.optionId.slice(0, 256), name: text(o.name), kind: o.kind.slice(0, 64) })),
    },
  };
}

/** `permission_resolved`: how the policy answered it. */
export function permissionResolvedEvent(request: PermissionRequest, decision: PermissionDecision): ProtocolEvent {
  const call = request.toolCall;
  const option = decision.option;
  return {
    event: 'permission_resolved',
    data: {
      id: call.toolCallId.slice(0, 256),
      ...(call.title != null && { title: text(call.title) }),
      outcome: decision.response.outcome.outcome,
      rule: decision.rule,
      ...(option && { option_id: option.optionId.slice(0, 256), option_kind: option.kind.slice(0, 64), option_name: text(option.name) }),
    },
  };
}
