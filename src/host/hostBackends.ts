import type { Container, ContainerModule } from 'inversify';
import type { z } from 'zod';
import { acpBackendModule } from '../adapters/acp/acpBackendModule.js';
import { AcpProfileOptionsSchema } from '../adapters/acp/acpOptions.js';
import { fakeBackendModule } from '../adapters/fakeBackend/fakeBackendModule.js';
import { FakeProfileOptionsSchema } from '../adapters/fakeBackend/fakeProfileOptions.js';
import { workerBridgeBackendModule } from '../adapters/workerBridge/workerBridgeBackendModule.js';
import { WorkerBridgeProfileOptionsSchema } from '../adapters/workerBridge/workerBridgeOptions.js';
import { ExecutionBackendPort } from '../ports/executionBackendPort.js';

/**
 * A backend the host can run profiles on: the id profiles name in `backend`, the module binding an
 * `ExecutionBackendPort` with that id, and the schema of a profile's `options` (checked for every
 * profile when the host starts, so a bad option stops the start instead of failing a later Worker).
 */
export interface HostBackend {
  readonly backendId: string;
  readonly module: ContainerModule;
  readonly profileOptions?: z.ZodType;
}

/** What `createHost(config, { backends })` accepts: descriptors, or plain modules (their ids are read once bound). */
export type HostBackendInput = HostBackend | ContainerModule;

const BUILT_IN: Readonly<Record<string, { profileOptions: z.ZodType; module: () => ContainerModule }>> = {
  fake: { profileOptions: FakeProfileOptionsSchema, module: () => fakeBackendModule({ backendId: 'fake', eventDelayMs: 30 }) },
  acp: { profileOptions: AcpProfileOptionsSchema, module: () => acpBackendModule({ backendId: 'acp' }) },
  workerBridge: { profileOptions: WorkerBridgeProfileOptionsSchema, module: () => workerBridgeBackendModule({ backendId: 'workerBridge' }) },
};

/** The backends the host builds by itself when a profile names them. */
export const BUILT_IN_BACKEND_IDS: readonly string[] = Object.keys(BUILT_IN);

/** The options schema for `backendId`, among the built-ins and the descriptors given, if any. */
export function profileOptionsSchema(backendId: string, supplied: readonly HostBackendInput[] = []): z.ZodType | undefined {
  const descriptor = supplied.find((b): b is HostBackend => isDescriptor(b) && b.backendId === backendId);
  return descriptor ? descriptor.profileOptions : Object.hasOwn(BUILT_IN, backendId) ? BUILT_IN[backendId]!.profileOptions : undefined;
}

/** Ids known without building anything: the built-ins and the descriptors given. */
export function declaredBackendIds(supplied: readonly HostBackendInput[] = []): Set<string> {
  return new Set([...BUILT_IN_BACKEND_IDS, ...supplied.filter(isDescriptor).map((b) => b.backendId)]);
}

/** The modules of what the caller supplied (descriptors and plain modules), in order. */
export function suppliedModules(supplied: readonly HostBackendInput[] = []): ContainerModule[] {
  return supplied.map((b) => (isDescriptor(b) ? b.module : b));
}

/**
 * Adds a built-in backend for each id the profiles name that nothing supplied binds; returns the ids
 * bound in the end. Called on the composition root's container before the Runtime is resolved.
 */
export function bindBuiltInBackends(container: Container, wanted: Iterable<string>): Set<string> {
  const bound = new Set(container.getAll(ExecutionBackendPort, { optional: true }).map((b) => b.backendId));
  for (const id of new Set(wanted)) {
    if (bound.has(id) || !Object.hasOwn(BUILT_IN, id)) continue;
    container.load(BUILT_IN[id]!.module());
    bound.add(id);
  }
  return bound;
}

function isDescriptor(value: HostBackendInput): value is HostBackend {
  return typeof (value as HostBackend).backendId === 'string' && typeof (value as HostBackend).module === 'object';
}
