import { ContainerModule } from 'inversify';
import { ExecutionBackendPort } from '../../ports/executionBackendPort.js';
import { AcpExecutionBackend } from './acpExecutionBackend.js';
import { AcpBackendOptions, AcpBackendOptionsSchema, type AcpBackendOptions as Options } from './acpOptions.js';

/**
 * Binds the ACP execution backend (one instance) under `backendId` (default `acp`). Agent commands and
 * everything else per agent are profile options, parsed at spawn.
 */
export function acpBackendModule(options: Partial<Options> = {}): ContainerModule {
  const parsed = AcpBackendOptionsSchema.parse(options);
  return new ContainerModule(({ bind }) => {
    bind(AcpBackendOptions).toConstantValue(parsed);
    bind(AcpExecutionBackend).toSelf().inSingletonScope();
    bind(ExecutionBackendPort).toService(AcpExecutionBackend);
  });
}
