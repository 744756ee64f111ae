import { ContainerModule } from 'inversify';
import { ExecutionBackendPort } from '../../ports/executionBackendPort.js';
import { WorkerBridgeExecutionBackend } from './workerBridgeExecutionBackend.js';
import {
  WorkerBridgeBackendOptions,
  WorkerBridgeBackendOptionsSchema,
  type WorkerBridgeBackendOptions as Options,
} from './workerBridgeOptions.js';

/**
 * Binds the worker-bridge execution backend (one instance) under `backendId` (default
 * `workerBridge`). Worker commands or sockets are profile options, parsed at spawn.
 */
export function workerBridgeBackendModule(options: Partial<Options> = {}): ContainerModule {
  const parsed = WorkerBridgeBackendOptionsSchema.parse(options);
  return new ContainerModule(({ bind }) => {
    bind(WorkerBridgeBackendOptions).toConstantValue(parsed);
    bind(WorkerBridgeExecutionBackend).toSelf().inSingletonScope();
    bind(ExecutionBackendPort).toService(WorkerBridgeExecutionBackend);
  });
}
